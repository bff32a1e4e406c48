#!/usr/bin/env bash
# web/dist is committed (a machine without npm serves it), so it must be the build of web/src as
# it is: type-checks the sources and builds them with the locked Vite into a temporary
# directory, then compares that with web/dist byte for byte. Skipped (77) when web's packages
# are not installed (tests/integration/setup-node.sh installs them).
set -euo pipefail

web="${1:?usage: dist_test.sh WEB_DIR}"
if [[ ! -x "$web/node_modules/.bin/vite" || ! -x "$web/node_modules/.bin/tsc" ]]; then
  echo "SKIP: $web/node_modules has no vite or tsc (run tests/integration/setup-node.sh)"
  exit 77
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$web"
node_modules/.bin/tsc --noEmit
node_modules/.bin/vite build --logLevel warn --outDir "$out" --emptyOutDir
if ! diff -rq "$out" dist; then
  echo "FAIL: web/dist is not the build of web/src: run \`make web\` and commit web/dist" >&2
  exit 1
fi
echo "web/dist is the build of web/src ($(find dist -type f | wc -l) files)"
