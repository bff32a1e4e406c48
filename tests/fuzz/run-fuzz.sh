#!/usr/bin/env bash
# Runs every fuzz target of a SLUICE_FUZZ build (`make fuzz`), each for SECONDS from its seed
# corpus, FUZZ_JOBS targets at a time (default: the machine's cores), and prints one line per
# target. Exits non-zero if any target crashed, leaked, timed out or could not run; its input
# is kept as BUILD/fuzz/artifacts/<target>-crash-..., its log as BUILD/fuzz/logs/<target>.log.
#   tests/fuzz/run-fuzz.sh BUILD SECONDS [TARGET...]
# New inputs found go to BUILD/fuzz/corpus/<target>/ (kept between runs, not in the source tree).
# FUZZ_SEED=N fixes libFuzzer's random seed (CI sets 1, so that a commit's run explores the same
# inputs each time, up to the time limit, and a finding is not a matter of luck); unset, each run
# draws its own and explores further.
set -euo pipefail

build=${1:?usage: run-fuzz.sh BUILD SECONDS [TARGET...]}
seconds=${2:?usage: run-fuzz.sh BUILD SECONDS [TARGET...]}
shift 2
list="$build/tests/fuzz/fuzz_targets.tsv"
[[ -f "$list" ]] || { echo "run-fuzz: no $list (configure $build with -DSLUICE_FUZZ=ON)" >&2; exit 2; }
jobs=${FUZZ_JOBS:-$(nproc)}
out="$build/fuzz"
mkdir -p "$out/artifacts" "$out/logs"

# Every UBSan finding and leak is fatal (the build also compiles UBSan with no recovery).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

names=() bins=() seeds=()
while IFS=$'\t' read -r name bin corpus; do
  [[ -n "$name" ]] || continue
  if [[ $# -gt 0 ]] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  names+=("$name") bins+=("$bin") seeds+=("$corpus")
done < "$list"
[[ ${#names[@]} -gt 0 ]] || { echo "run-fuzz: no target to run (asked: $*)" >&2; exit 2; }

# One target: libFuzzer on the kept corpus (new inputs go there) and the seeds; its exit status,
# written to logs/<target>.status, is the target's verdict.
run_one() {
  local name=$1 bin=$2 seed=$3 status=0
  mkdir -p "$out/corpus/$name"
  "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    -artifact_prefix="$out/artifacts/$name-" "$out/corpus/$name" "$seed" > "$out/logs/$name.log" 2>&1 || status=$?
  echo "$status" > "$out/logs/$name.status"
}

running=0
for i in "${!names[@]}"; do
  rm -f "$out/logs/${names[$i]}.status"
  if [[ $running -ge $jobs ]]; then wait -n || true; running=$((running - 1)); fi
  run_one "${names[$i]}" "${bins[$i]}" "${seeds[$i]}" &
  running=$((running + 1))
done
wait
declare -A status_of
failed=0
for name in "${names[@]}"; do
  status_of[$name]=$(cat "$out/logs/$name.status" 2>/dev/null || echo "?")
  [[ ${status_of[$name]} == 0 ]] || failed=$((failed + 1))
done

echo "fuzz: ${#names[@]} targets, ${seconds} s each, $jobs at a time (logs in $out/logs)"
for name in "${names[@]}"; do
  log="$out/logs/$name.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  corpus=$(find "$out/corpus/$name" -type f | wc -l || true)
  if [[ ${status_of[$name]} == 0 ]]; then
    printf '  %-22s ok      %10s runs  cov %6s  corpus %5s\n' "$name" "${runs:-?}" "${cov:-?}" "$corpus"
  else
    printf '  %-22s FAILED  exit %s; last lines of %s:\n' "$name" "${status_of[$name]}" "$log"
    tail -n 40 "$log" | sed 's/^/      /'
    ls "$out/artifacts/$name-"* 2>/dev/null | sed 's/^/      input: /' || true
  fi
done
if [[ $failed -gt 0 ]]; then
  echo "fuzz: $failed of ${#names[@]} targets FAILED"
  exit 1
fi
echo "fuzz: all ${#names[@]} targets ran ${seconds} s without a finding"
