#!/usr/bin/env bash
# Runs ctest in a sanitizer build (`make test-asan`, `make test-tsan`) so that no report is
# missed: every process the tests start (the `sluice` servers and commands, whose stderr the
# integration harness discards) writes its sanitizer reports to BUILD/sanitizer-reports/, and
# the run fails if ctest failed or any report was written; the reports are printed.
#   tests/sanitizers/run-ctest.sh BUILD [CTEST ARGS...]
# ASAN_OPTIONS, UBSAN_OPTIONS and TSAN_OPTIONS come from the environment (the Makefile's).
set -uo pipefail
build=${1:?usage: run-ctest.sh BUILD [CTEST ARGS...]}
shift
reports="$(cd "$build" && pwd)/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$reports/report"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$reports/report"
export TSAN_OPTIONS="${TSAN_OPTIONS:-}:log_path=$reports/report"

(cd "$build" && ctest "$@")
status=$?
found=$(find "$reports" -type f | sort)
if [[ -n "$found" ]]; then
  echo "run-ctest: sanitizer reports in $reports:"
  for f in $found; do
    echo "---- $f"
    head -c 20000 "$f"
  done
  echo "run-ctest: $(echo "$found" | wc -l) sanitizer report(s): FAILED"
  exit 1
fi
exit $status
