#!/usr/bin/env bash
# Installs the npm packages of the Node integration tests: the clients (tests/integration/node)
# and the portal in a browser (tests/integration/portal); and the portal's own (web: its build,
# which tests/web/dist_test.sh compares with the committed web/dist).
# Idempotent: runs `npm ci` only when node_modules is missing or package-lock.json changed since.
set -euo pipefail

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup-node.sh: node and npm are required (Node 20+); install them, e.g. apt-get install nodejs npm" >&2
  exit 1
fi

here="${BASH_SOURCE[0]%/*}"
[[ "$here" == "${BASH_SOURCE[0]}" ]] && here=.
for dir in node portal ../../web; do
  (
    cd "$here/$dir"
    if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
      echo "setup-node.sh: npm ci in $PWD"
      npm ci --no-audit --no-fund
    else
      echo "setup-node.sh: node_modules up to date in $PWD"
    fi
  )
done
