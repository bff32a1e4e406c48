#!/usr/bin/env bash
# Strict against fast mode of the shared limits (docs/limits.md, "Several nodes"): one
# `sluice serve` node (SQLite) counting its rate windows in its own redis-server, a short burst
# of rate-limited requests, each mode in turn. Run by hand after `make build`:
#
#   bench/fast_limits_bench.sh [SECONDS]      # SECONDS per mode, default 5
#
# The endpoint is GET /2/usage/tweets (rate-limited, charges nothing, reads no posts: the rate
# window is the only Redis work of a request), on a plan of its own with LIMIT requests per
# 15 minutes (large enough that nothing is refused). `[limits] nodes = NODES` sizes the leases
# as a cluster of NODES would: K = max(1, LIMIT * LEASE_PERCENT / 100 / NODES).
# Printed per mode: requests/s (wrk -t 2 -c CONNECTIONS), and Redis script calls (EVALSHA in
# INFO commandstats, reset before each run) per request answered. Redis's timeout_ms is 1000
# (not the default 50): on a loaded machine a slow moment would otherwise answer a 503, and
# any answer but 200 makes the run invalid (exit 1).
# Settings (environment): LIMIT=1000000 NODES=3 LEASE_PERCENT=1 CONNECTIONS=16 WORKERS=1
#   SLUICE=PATH (another binary than build/src/sluice) KEEP=1 keeps WORK.
set -euo pipefail

SECONDS_RUN=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=${SLUICE:-$ROOT/build/src/sluice}
LIMIT=${LIMIT:-1000000}
NODES=${NODES:-3}
LEASE_PERCENT=${LEASE_PERCENT:-1}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-1}
[ -x "$SLUICE" ] || { echo "fast_limits_bench: build first (make build): $SLUICE missing" >&2; exit 1; }
for tool in wrk redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "fast_limits_bench: $tool not found (bash scripts/install-deps --bench)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/sluice-fast-limits-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK/redis" >"$WORK/redis/redis.log" 2>&1 &
PIDS+=("$!")
redis() { redis-cli -p "$REDIS_PORT" "$@"; }
for _ in $(seq 1 200); do redis PING >/dev/null 2>&1 && break; sleep 0.05; done
redis PING >/dev/null || { echo "fast_limits_bench: redis-server did not answer PING" >&2; exit 1; }

cat >"$WORK/plans.toml" <<EOF
[plans.bench]
title = "Bench"
monthly_price_usd = "0"
read_cap = 1000000
max_apps = 1
[plans.bench.limits]
"GET /2/usage/tweets" = "$LIMIT/15m"
EOF
"$SLUICE" seed --data "$WORK/data" --users 10 --posts 100 --seed 7 >/dev/null
printf '[plans]\nfile = "%s"\n' "$WORK/plans.toml" >"$WORK/plans-only.toml"
TOKEN=$("$SLUICE" apps create --data "$WORK/data" --config "$WORK/plans-only.toml" --name bench --plan bench |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["bearer_token"])')

run() {
  local mode=$1
  cat >"$WORK/$mode.toml" <<EOF
[server]
listen = "127.0.0.1:0"
workers = $WORKERS
[log]
access_log = false
[plans]
file = "$WORK/plans.toml"
[limits]
url = "redis://127.0.0.1:$REDIS_PORT"
nodes = $NODES
mode = "$mode"
lease_percent = $LEASE_PERCENT
timeout_ms = 1000
EOF
  "$SLUICE" serve --data "$WORK/data" --config "$WORK/$mode.toml" >"$WORK/$mode.out" 2>"$WORK/$mode.err" &
  local pid=$!
  PIDS+=("$pid")
  local port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's/^sluice listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$mode.out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "fast_limits_bench: sluice ($mode) did not start:" >&2; cat "$WORK/$mode.err" >&2; exit 1; }
  redis FLUSHALL >/dev/null
  redis CONFIG RESETSTAT >/dev/null
  wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_RUN}s" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$port/2/usage/tweets" >"$WORK/$mode.wrk"
  local calls
  calls=$(redis INFO commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p')
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$mode" "$WORK/$mode.wrk" "${calls:-0}" <<'EOF'
import re, sys
mode, text, calls = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if bad:
    sys.exit(f"fast_limits_bench: {mode}: {bad.group(1)} responses were not 200 (raise LIMIT)")
print(f"{mode:6}  {rps:10.0f} requests/s  {total:8d} requests  {calls:8d} Redis script calls  {calls / max(total, 1):.4f} per request")
EOF
}

echo "one node, limit $LIMIT per 15 minutes, nodes = $NODES, lease_percent = $LEASE_PERCENT" \
  "(K = $(( LIMIT * LEASE_PERCENT / 100 / NODES > 1 ? LIMIT * LEASE_PERCENT / 100 / NODES : 1 ))), ${SECONDS_RUN} s of wrk -c $CONNECTIONS per mode"
run strict
run fast
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
