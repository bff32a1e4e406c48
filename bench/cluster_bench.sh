#!/usr/bin/env bash
# Two nodes on PostgreSQL + Redis against one embedded node, on the same machine (ISSUE 14,
# "Measured"; docs/benchmarks.md, "Several nodes on PostgreSQL and Redis"). Run by hand after
# `make build`, or by `make bench` (after bench/http_bench.sh):
#
#   bench/cluster_bench.sh [SECONDS]      # SECONDS per measured run, default 10
#
# 1. Starts its own PostgreSQL 15 (initdb as `postgres` when run as root, in WORK/pg, a free
#    loopback port, fsync=off and full_page_writes=off as the tests run it) and its own
#    redis-server (free loopback port, no persistence). Everything it starts is stopped on exit,
#    however it exits (trap), and WORK (a fresh /tmp/sluice-cluster-bench-*) removed.
# 2. Seeds the same data set (`sluice seed --users USERS --posts POSTS --seed 7`) into a SQLite
#    data dir (WORK/embedded) and into a PostgreSQL database, and creates an app on the
#    enterprise plan on each; the bench's plans file (WORK/plans.toml) raises the enterprise
#    lookup limit from 1,000,000 to 1,000,000,000 per 15 minutes, as bench/http_bench.sh does:
#    nothing is refused at this load, and a run with any non-2xx response is invalid (exit 1).
# 3. Throughput, with wrk for SECONDS (after a WARMUP-second run not counted) and
#    bench/http_bench.lua rotating over the targets, of
#      lookups   GET /2/tweets/ID?QUERY for IDS ids spread over the store
#      searches  GET /2/tweets/search/recent?query=WORD&max_results=100&QUERY for the most
#                frequent words of 5+ letters whose first page is full on both stores
#    against, one after the other:
#      embedded  one `sluice serve --data` node (SQLite, limits counted in the process)
#      cluster   two nodes (`--node-id 1` and `2`, own data dirs and ledgers) on the same
#                `--store postgres://` and `--limits redis://`; the load is split by running
#                one wrk per node at the same time, each with half the connections. Not HAProxy:
#                a balancer's process would take CPU from the servers' cores (or, not counted,
#                hide a cost a deployment pays on another machine), and wrk per node splits
#                the load exactly in two; HAProxy's own cost is HAProxy's, not Sluice's.
#    Printed: requests/s, and requests per server CPU-second, where the server CPU is every
#    server process of the setup (user + system, from /proc/PID/stat before and after the run,
#    threads and reaped children included): the embedded node; for the cluster both nodes,
#    PostgreSQL's postmaster and every backend, and Redis (each part printed). Then the ratio
#    cluster / embedded of the requests per CPU-second (per core used; the issue's goal is >= 0.7)
#    and of the requests/s.
# 4. The added latency of the Redis stage: node 1 on PostgreSQL alone, without and then with
#    `--limits redis://`, at low concurrency (wrk -t 1 -c 1 --latency, lookups): p50 and p99
#    of each and the difference.
#
# Placement, as bench/http_bench.sh (PIN=1, the default, on 2+ cores): every server process
# (sluice nodes, PostgreSQL, Redis) on the first half of the cores, wrk on the others; each
# sluice node runs one worker per server core (so two nodes run twice the workers of the
# embedded one: they share the same cores). PIN=0 runs everything unpinned. The lookup cache
# keeps its shipped default (server.lookup_cache_entries): a node on PostgreSQL still asks the
# store whether another node wrote before a cached answer (once for the requests queued behind
# that question: docs/operations.md), which is part of what is measured.
#
# Settings (environment): USERS=2000 POSTS=50000 IDS=1000 CONNECTIONS=64 WARMUP=2 PIN=1
#   QUERY='tweet.fields=created_at,author_id&expansions=author_id' LATENCY_SECONDS=SECONDS
#   WRK_TIMEOUT=10s
#   LOOKUP_CACHE_ENTRIES=N (server.lookup_cache_entries of every node; unset: the shipped default)
#   LIMITS_MODE=strict|fast ([limits] mode of the nodes on Redis, docs/limits.md; default strict)
#   SLUICE=PATH (another binary than build/src/sluice) SLUICE_PG_BIN=DIR (initdb, pg_ctl,
#   createdb; default /usr/lib/postgresql/15/bin) KEEP=1 keeps WORK (servers still stopped).
set -euo pipefail

SECONDS_RUN=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=${SLUICE:-$ROOT/build/src/sluice}
USERS=${USERS:-2000}
POSTS=${POSTS:-50000}
IDS=${IDS:-1000}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-2}
PIN=${PIN:-1}
LATENCY_SECONDS=${LATENCY_SECONDS:-$SECONDS_RUN}
# wrk counts a response later than its --timeout (2 s by default) as a socket error: a page of
# PostgreSQL searches behind 32 connections on a loaded machine can take that long. A late
# response is still counted in the latency (and the run's req/s), not as a failure.
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
QUERY=${QUERY-tweet.fields=created_at,author_id&expansions=author_id}
LIMITS_MODE=${LIMITS_MODE:-strict}
PG_BIN=${SLUICE_PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$SLUICE" ] || { echo "cluster_bench: build first (make build): $SLUICE missing" >&2; exit 1; }
if ! command -v wrk >/dev/null || ! command -v redis-server >/dev/null || [ ! -x "$PG_BIN/initdb" ]; then
  echo "cluster_bench: wrk, redis-server or PostgreSQL 15 is missing; installing them (bash scripts/install-deps --bench)" >&2
  bash "$ROOT/scripts/install-deps" --bench
fi
for tool in wrk redis-server curl python3 pgrep "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$PG_BIN/createdb"; do
  command -v "$tool" >/dev/null || { echo "cluster_bench: $tool not found" >&2; exit 1; }
done

# Root may not run PostgreSQL: its commands run as `postgres`, which owns WORK/pg; WORK (and
# /tmp above it) must let that user through.
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "cluster_bench: no postgres user to run PostgreSQL as (apt-get install postgresql)" >&2; exit 1; }
  AS_PG=(runuser -u postgres --)
fi

WORK=$(mktemp -d /tmp/sluice-cluster-bench-XXXXXX)
chmod 755 "$WORK"
PGDIR=$WORK/pg

# Every process this script starts, by pid, stopped on exit in reverse order (the nodes before
# Redis); PostgreSQL (a daemon: pg_ctl returns) is stopped by pg_ctl.
PIDS=()
PG_STARTED=0
cleanup() {
  set +e
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [ "$PG_STARTED" = 1 ]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "cluster_bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CORES=$(nproc)
if [ "$PIN" = 1 ] && [ "$CORES" -ge 2 ]; then
  SERVER_CORES=$((CORES / 2))
  SERVER_CPUS=0-$((SERVER_CORES - 1))
  WRK_CPUS=$SERVER_CORES-$((CORES - 1))
  WRK_THREADS=$((CORES - SERVER_CORES))
  ON_SERVER=(taskset -c "$SERVER_CPUS")
  ON_WRK=(taskset -c "$WRK_CPUS")
  PLACEMENT="servers (sluice, PostgreSQL, Redis) on CPUs $SERVER_CPUS, wrk on CPUs $WRK_CPUS"
else
  SERVER_CORES=$CORES
  WRK_THREADS=$CORES
  ON_SERVER=()
  ON_WRK=()
  PLACEMENT="unpinned"
fi
WORKERS=$SERVER_CORES

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- PostgreSQL and Redis.
mkdir -p "$PGDIR"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1 ||
  { echo "cluster_bench: initdb failed:" >&2; cat "$WORK/initdb.log" >&2; exit 1; }
PG_PORT=$(free_port)
PG_STARTED=1
"${ON_SERVER[@]}" "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null ||
  { echo "cluster_bench: PostgreSQL did not start:" >&2; tail -20 "$PGDIR/server.log" >&2; exit 1; }
PG_PID=$(head -1 "$PGDIR/data/postmaster.pid")
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sluice
PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/sluice

REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
"${ON_SERVER[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK/redis" \
  >"$WORK/redis/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
redis_ping() {
  python3 - "$REDIS_PORT" <<'EOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
EOF
}
for _ in $(seq 1 200); do
  redis_ping && break
  kill -0 "$REDIS_PID" 2>/dev/null || { echo "cluster_bench: redis-server exited:" >&2; cat "$WORK/redis/redis.log" >&2; exit 1; }
  sleep 0.05
done
redis_ping || { echo "cluster_bench: redis-server did not answer PING" >&2; exit 1; }

# ---- The data, the plans, the apps.
sed 's|^"GET /2/tweets/:id" = "1000000/15m"$|"GET /2/tweets/:id" = "1000000000/15m"|' "$ROOT/config/plans.toml" >"$WORK/plans.toml"
grep -q '^"GET /2/tweets/:id" = "1000000000/15m"$' "$WORK/plans.toml" ||
  { echo "cluster_bench: config/plans.toml no longer has the enterprise lookup limit this script raises" >&2; exit 1; }
cat >"$WORK/sluice.toml" <<EOF
[server]
listen = "127.0.0.1:0"
workers = $WORKERS
${LOOKUP_CACHE_ENTRIES:+lookup_cache_entries = $LOOKUP_CACHE_ENTRIES}
[log]
access_log = false
[plans]
file = "$WORK/plans.toml"
[limits]
mode = "$LIMITS_MODE"
EOF

echo "seeding SQLite and PostgreSQL ($USERS users, $POSTS posts, seed 7)"
SEED_T0=$(date +%s.%N)
"$SLUICE" seed --data "$WORK/embedded" --users "$USERS" --posts "$POSTS" --seed 7 >/dev/null
SEED_T1=$(date +%s.%N)
"$SLUICE" seed --store "$PG_URL" --data "$WORK/node1" --users "$USERS" --posts "$POSTS" --seed 7 >/dev/null
SEED_T2=$(date +%s.%N)
mkdir -p "$WORK/node2"
token_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["bearer_token"])'; }
EMBEDDED_TOKEN=$("$SLUICE" apps create --data "$WORK/embedded" --config "$WORK/sluice.toml" --name "cluster bench" --plan enterprise | token_of)
CLUSTER_TOKEN=$("$SLUICE" apps create --store "$PG_URL" --data "$WORK/node1" --config "$WORK/sluice.toml" --name "cluster bench" --plan enterprise | token_of)

# ---- Starting and stopping nodes.
# Starts `sluice serve` NAME with ARGS...; sets NODE_PID and NODE_PORT.
start_node() {
  local name=$1
  shift
  : >"$WORK/$name.out"
  "${ON_SERVER[@]}" "$SLUICE" serve --config "$WORK/sluice.toml" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  NODE_PORT=""
  for _ in $(seq 1 1200); do
    NODE_PORT=$(sed -n 's/^sluice listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$name.out")
    [ -n "$NODE_PORT" ] && return 0
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "cluster_bench: sluice $name did not start:" >&2
  cat "$WORK/$name.err" >&2
  exit 1
}
stop_node() {
  kill -TERM "$1"
  wait "$1" || { echo "cluster_bench: sluice $1 exited with $?" >&2; exit 1; }
}

# ---- The targets: lookups of ids spread over the store, search pages of 100 full on both stores.
start_node embedded --data "$WORK/embedded"
EMBEDDED_PID=$NODE_PID EMBEDDED_PORT=$NODE_PORT
start_node node1 --store "$PG_URL" --data "$WORK/node1" --node-id 1 --limits "$REDIS_URL"
NODE1_PID=$NODE_PID NODE1_PORT=$NODE_PORT
python3 - "$WORK/embedded/sluice.db" "$IDS" "$QUERY" "$WORK" "$EMBEDDED_PORT" "$EMBEDDED_TOKEN" "$NODE1_PORT" "$CLUSTER_TOKEN" <<'EOF'
import collections, http.client, json, re, sqlite3, sys
db, n, query, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
servers = [("embedded", int(sys.argv[5]), sys.argv[6]), ("node 1", int(sys.argv[7]), sys.argv[8])]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
ids = [i for (i,) in con.execute("SELECT id FROM posts WHERE deleted_at IS NULL ORDER BY id")]
ids = [ids[k * len(ids) // n] for k in range(n)] if len(ids) >= n else ids
words = collections.Counter()
for (text,) in con.execute("SELECT text FROM posts ORDER BY id DESC LIMIT 20000"):
    words.update(re.findall(r"\b[a-z]{5,}\b", text.lower()))
suffix = f"&{query}" if query else ""
lookups = [f"/2/tweets/{i}" + (f"?{query}" if query else "") for i in ids]
searches = [f"/2/tweets/search/recent?query={w}&max_results=100{suffix}" for w, _ in words.most_common(100)]
conns = {name: (http.client.HTTPConnection("127.0.0.1", port), token) for name, port, token in servers}
def get(name, target):
    c, token = conns[name]
    c.request("GET", target, headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    return r.status, r.read()
# Lookups answered with the post (not a protected author's "not authorized") by the embedded
# node, and then with the same post by node 1.
kept = []
for target in lookups:
    bodies = {}
    for name in conns:
        status, body = get(name, target)
        if status != 200:
            sys.exit(f"cluster_bench: {name}: {target} answered {status}: {body[:200]!r}")
        bodies[name] = json.loads(body).get("data", {}).get("id")
    if bodies["embedded"] is None:
        continue
    if len(set(bodies.values())) != 1:
        sys.exit(f"cluster_bench: {target}: the stores disagree: {body[:300]!r}")
    kept.append(target)
if len(kept) < n // 2:
    sys.exit(f"cluster_bench: only {len(kept)} of {len(lookups)} lookups give a post")
lookups = kept
kept = []
for target in searches:
    full = True
    for name in conns:
        status, body = get(name, target)
        if status != 200:
            sys.exit(f"cluster_bench: {name}: {target} answered {status}: {body[:200]!r}")
        full = full and b'"result_count":100' in body
    if full:
        kept.append(target)
if len(kept) < 10:
    sys.exit(f"cluster_bench: only {len(kept)} search words give a full page of 100 on both stores (more POSTS?)")
for name, lines in (("lookups", lookups), ("searches", kept)):
    with open(f"{work}/targets-{name}.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
print(f"targets: {len(lookups)} lookups with a post (e.g. GET {lookups[0]}), {len(kept)} search words with a full page on both stores (e.g. GET {kept[0]})")
EOF
stop_node "$NODE1_PID"
stop_node "$EMBEDDED_PID"

# ---- Measuring.
# CPU seconds (user + system: every thread, and children reaped) used so far by the processes
# PIDS... and their children (PostgreSQL's backends are the postmaster's children).
cpu_of() {
  local pid files=()
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
    files+=("/proc/$pid/stat")
  done
  # A backend may exit between pgrep and cat: its time then moves to the postmaster's cutime.
  cat "${files[@]}" 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" \
    '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%.2f\n", t / hz }'
}

# run_load NAME TARGETS TOKEN GROUPS PORTS...: a warm-up, then the measured run, one wrk per
# port at the same time (the connections shared out), while counting the CPU of GROUPS
# ("label=pid,pid;label=pid"). Prints "NAME req/s requests non2xx errors wrk_cpu label=cpu...".
run_load() {
  local name=$1 targets=$2 token=$3 groups=$4
  shift 4
  local ports=("$@") n=$# port i
  local conns=$((CONNECTIONS / n)) threads=$((WRK_THREADS > CONNECTIONS / n ? CONNECTIONS / n : WRK_THREADS))
  for port in "${ports[@]}"; do
    HTTP_BENCH_TARGETS=$targets HTTP_BENCH_TOKEN=$token "${ON_WRK[@]}" \
      wrk -t "$threads" -c "$conns" --timeout "$WRK_TIMEOUT" -d "${WARMUP}s" -s "$ROOT/bench/http_bench.lua" "http://127.0.0.1:$port" \
      >"$WORK/wrk-$name-warmup-$port.txt" &
    WRK_PIDS+=("$!")
  done
  wait_wrk
  local before=() after=() group
  IFS=';' read -ra group_list <<<"$groups"
  for group in "${group_list[@]}"; do
    # shellcheck disable=SC2046
    before+=("$(cpu_of $(echo "${group#*=}" | tr ',' ' '))")
  done
  local TIMEFORMAT='%U %S'
  {
    time {
      for port in "${ports[@]}"; do
        HTTP_BENCH_TARGETS=$targets HTTP_BENCH_TOKEN=$token "${ON_WRK[@]}" \
          wrk -t "$threads" -c "$conns" --timeout "$WRK_TIMEOUT" -d "${SECONDS_RUN}s" --latency -s "$ROOT/bench/http_bench.lua" \
          "http://127.0.0.1:$port" >"$WORK/wrk-$name-$port.txt" &
        WRK_PIDS+=("$!")
      done
      wait_wrk
    }
  } 2>"$WORK/wrk-$name.time"
  for group in "${group_list[@]}"; do
    # shellcheck disable=SC2046
    after+=("$(cpu_of $(echo "${group#*=}" | tr ',' ' '))")
  done
  local cpus=""
  for i in "${!group_list[@]}"; do
    cpus+=" ${group_list[$i]%%=*}=$(awk -v a="${before[$i]}" -v b="${after[$i]}" -v s="$SECONDS_RUN" 'BEGIN { printf "%.3f", (b - a) / s }')"
  done
  python3 - "$name" "$SECONDS_RUN" "$(awk '{ print $1 + $2 }' "$WORK/wrk-$name.time")" "$cpus" \
    $(for port in "${ports[@]}"; do echo "$WORK/wrk-$name-$port.txt"; done) <<'EOF'
import re, sys
name, secs, wrk_cpu, cpus, outs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5:]
rps = total = non2xx = errors = 0
for path in outs:
    out = open(path).read()
    rps += float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    total += int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    non2xx += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(x) for x in m.groups()) if m else 0
print(name, f"{rps:.0f}", total, non2xx, errors, f"{wrk_cpu / secs:.2f}", cpus.strip())
EOF
}
# Waits for the wrk processes started in the background (WRK_PIDS).
WRK_PIDS=()
wait_wrk() {
  local pid
  for pid in "${WRK_PIDS[@]}"; do
    wait "$pid" || { echo "cluster_bench: wrk failed" >&2; exit 1; }
  done
  WRK_PIDS=()
}

# wrk -c 1 against PORT: prints "p50_ms p99_ms requests non2xx errors".
run_latency() {
  local name=$1 port=$2 token=$3 out=$WORK/latency-$1.txt
  HTTP_BENCH_TARGETS=$WORK/targets-lookups.txt HTTP_BENCH_TOKEN=$token "${ON_WRK[@]}" \
    wrk -t 1 -c 1 --timeout "$WRK_TIMEOUT" -d "${WARMUP}s" -s "$ROOT/bench/http_bench.lua" "http://127.0.0.1:$port" >/dev/null
  HTTP_BENCH_TARGETS=$WORK/targets-lookups.txt HTTP_BENCH_TOKEN=$token "${ON_WRK[@]}" \
    wrk -t 1 -c 1 --timeout "$WRK_TIMEOUT" -d "${LATENCY_SECONDS}s" --latency -s "$ROOT/bench/http_bench.lua" "http://127.0.0.1:$port" >"$out"
  python3 - "$out" <<'EOF'
import re, sys
out = open(sys.argv[1]).read()
def ms(s):
    v, unit = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
total = int(re.search(r"(\d+) requests in", out).group(1))
m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
m2 = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
print(f"{p50:.3f} {p99:.3f} {total} {int(m.group(1)) if m else 0} {sum(int(x) for x in m2.groups()) if m2 else 0}")
EOF
}

echo "machine: $CORES cores, $(. /etc/os-release && echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seeding took $(awk -v a="$SEED_T0" -v b="$SEED_T1" -v c="$SEED_T2" 'BEGIN { printf "%.1f s (SQLite), %.1f s (PostgreSQL)", b - a, c - b }')"
echo "each run: wrk -c $CONNECTIONS in all -d ${SECONDS_RUN}s (after ${WARMUP}s not counted); $WORKERS worker(s) per node; lookup cache ${LOOKUP_CACHE_ENTRIES:-default}; limits mode $LIMITS_MODE (nodes on Redis); $PLACEMENT"

RESULTS=()
start_node embedded --data "$WORK/embedded"
EMBEDDED_PID=$NODE_PID EMBEDDED_PORT=$NODE_PORT
for scenario in lookups searches; do
  line=$(run_load "embedded-$scenario" "$WORK/targets-$scenario.txt" "$EMBEDDED_TOKEN" "sluice=$EMBEDDED_PID" "$EMBEDDED_PORT")
  RESULTS+=("$line")
done
stop_node "$EMBEDDED_PID"

start_node node1 --store "$PG_URL" --data "$WORK/node1" --node-id 1 --limits "$REDIS_URL"
NODE1_PID=$NODE_PID NODE1_PORT=$NODE_PORT
start_node node2 --store "$PG_URL" --data "$WORK/node2" --node-id 2 --limits "$REDIS_URL"
NODE2_PID=$NODE_PID NODE2_PORT=$NODE_PORT
for scenario in lookups searches; do
  line=$(run_load "cluster-$scenario" "$WORK/targets-$scenario.txt" "$CLUSTER_TOKEN" \
    "sluice=$NODE1_PID,$NODE2_PID;postgres=$PG_PID;redis=$REDIS_PID" "$NODE1_PORT" "$NODE2_PORT")
  RESULTS+=("$line")
done
stop_node "$NODE2_PID"
stop_node "$NODE1_PID"

# The Redis stage's latency: node 1 alone on PostgreSQL, limits local, then in Redis.
start_node node1-local --store "$PG_URL" --data "$WORK/node1" --node-id 1
line=$(run_latency local "$NODE_PORT" "$CLUSTER_TOKEN")
LATENCY=("local $line")
stop_node "$NODE_PID"
start_node node1-redis --store "$PG_URL" --data "$WORK/node1" --node-id 1 --limits "$REDIS_URL"
line=$(run_latency redis "$NODE_PORT" "$CLUSTER_TOKEN")
LATENCY+=("redis $line")
stop_node "$NODE_PID"

echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$SERVER_CORES" "$WRK_THREADS" "$LATENCY_SECONDS" "${#ON_SERVER[@]}" "${LATENCY[@]}" -- "${RESULTS[@]}" <<'EOF'
import sys
server_cores, wrk_cores, lat_secs, pinned = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] != "0"
args = sys.argv[5:]
cut = args.index("--")
latency, results = args[:cut], args[cut + 1:]
rows, invalid, disturbed = {}, [], []
print(f"{'':20} {'req/s':>8} {'requests':>9} {'non-2xx':>7} {'sock err':>8} {'server CPU':>10} {'req/CPU-s':>9} {'wrk CPU':>7}  server CPU by part (cores)")
for line in results:
    f = line.split()
    name, rps, total, non2xx, errors, wcpu = f[:6]
    parts = dict(p.split("=") for p in f[6:])
    scpu = sum(float(v) for v in parts.values())
    per_cpu = float(rps) / max(scpu, 0.01)
    rows[name] = (float(rps), per_cpu)
    mark = ""
    if (scpu < 0.85 * server_cores and float(wcpu) < 0.85 * wrk_cores) if pinned else scpu + float(wcpu) < 0.85 * server_cores:
        mark = " *"
        disturbed.append(name)
    if int(non2xx) or int(errors):
        invalid.append(name)
    print(f"{name + mark:20} {float(rps):8.0f} {int(total):9d} {int(non2xx):7d} {int(errors):8d} {scpu:10.2f} {per_cpu:9.0f} {wcpu:>7}  {' '.join(f'{k} {float(v):.2f}' for k, v in parts.items())}")
if disturbed:
    print(f"* disturbed: neither the servers nor wrk got 85% of their CPUs (other load on the machine): {', '.join(disturbed)}")
for scenario in ("lookups", "searches"):
    e, c = rows[f"embedded-{scenario}"], rows[f"cluster-{scenario}"]
    r = c[1] / e[1]
    print(f"{scenario + ':':9} cluster / embedded per server CPU-second {r:.2f} (goal >= 0.7: {'met' if r >= 0.7 else 'NOT met'}); "
          f"req/s {c[0] / e[0]:.2f} ({c[0]:.0f} / {e[0]:.0f})")
lat = {}
for line in latency:
    name, p50, p99, total, non2xx, errors = line.split()
    lat[name] = (float(p50), float(p99))
    if int(non2xx) or int(errors):
        invalid.append(f"latency {name}")
    print(f"node on PostgreSQL, limits {'in Redis' if name == 'redis' else 'local':9} wrk -t 1 -c 1 {lat_secs}s lookups: p50 {float(p50):.3f} ms, p99 {float(p99):.3f} ms ({total} requests)")
print(f"the Redis stage adds: p50 {lat['redis'][0] - lat['local'][0]:+.3f} ms, p99 {lat['redis'][1] - lat['local'][1]:+.3f} ms")
if invalid:
    print(f"INVALID: non-2xx responses or socket errors in: {', '.join(invalid)}")
    sys.exit(1)
EOF
