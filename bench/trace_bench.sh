#!/usr/bin/env bash
# Speed of `sluice trace`, both requirements in one run (see docs/trace.md, "Speed"). Run by
# hand after `make build`:
#
#   bench/trace_bench.sh [MB] [WORKDIR]     # MB: corpus size, default 200 (1024 for 1 GB)
#
#   GREP_TIMEOUT=180  grep is stopped after this many seconds (its time is then a lower bound)
#   POSTS_1M=0        skip part (b), the 1M-post run (and its seeding), for a quick run
#   CPU=0             the core every timed command is pinned to (taskset -c CPU)
#
# Prepares once, in WORKDIR (reused by later runs):
#   data/              20,000 users, 100,000 posts (`sluice seed`)
#   data-1m/           50,000 users, 1,000,000 posts (unless POSTS_1M=0)
#   patterns.txt       the 100,000 post texts of data/, one per line (newlines folded)
#   corpus-MBmb.jsonl  about MB megabytes of random text in the posts' vocabulary, with a few
#                      hundred of data/'s post texts planted
# then times, one after the other, each pinned to one core, page cache warm:
#   (a) LC_ALL=C grep -F -c -f patterns.txt corpus  against
#       sluice trace --threads 1 --data data --quiet --json corpus      (100,000 posts indexed)
#   (b) sluice trace --threads 1 --data data-1m --quiet --json corpus   (1,000,000 posts indexed)
# then both traces again on every core (--threads $(nproc), not pinned; grep has one thread),
# and grep on empty input (its start-up: building the matcher).
# For each trace: whole-command seconds and MB/s (index build included), and the phases from
# the report's `timing` (scan-phase MB/s alone).
set -euo pipefail

MB=${1:-200}
WORK=${2:-/tmp/sluice-trace-bench}
GREP_TIMEOUT=${GREP_TIMEOUT:-180}
POSTS_1M=${POSTS_1M:-1}
CPU=${CPU:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=$ROOT/build/src/sluice
[ -x "$SLUICE" ] || { echo "trace_bench: build first (make build): $SLUICE missing" >&2; exit 1; }
command -v taskset >/dev/null || { echo "trace_bench: taskset (util-linux) is needed to pin to one core" >&2; exit 1; }
mkdir -p "$WORK"
DATA=$WORK/data
DATA_1M=$WORK/data-1m
CORPUS=$WORK/corpus-${MB}mb.jsonl
PATTERNS=$WORK/patterns.txt

now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now)-$1:.1f}')"; }

# seed DIR USERS POSTS: seeds DIR once; checks an existing one holds POSTS posts.
seed() {
  local dir=$1 users=$2 posts=$3 t
  if [ ! -f "$dir/sluice.db" ]; then
    t=$(now)
    "$SLUICE" seed --data "$dir" --users "$users" --posts "$posts" >/dev/null
    echo "prep: seeded $dir ($users users, $posts posts) in $(since "$t") s"
  else
    echo "prep: reusing $dir"
  fi
  local have
  have=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('SELECT count(*) FROM posts').fetchone()[0])" "$dir/sluice.db")
  [ "$have" -eq "$posts" ] || { echo "trace_bench: $dir holds $have posts, not $posts (an interrupted seed?): remove it and rerun" >&2; exit 1; }
}

seed "$DATA" 20000 100000
[ "$POSTS_1M" = 0 ] || seed "$DATA_1M" 50000 1000000

# Post texts (one per line, newlines folded) and the corpus, each made once. Python's sqlite3
# module reads the store; the sqlite3 CLI is not needed.
python3 - "$DATA/sluice.db" "$PATTERNS" "$CORPUS" "$MB" <<'EOF'
import json, os, random, sqlite3, sys, time
db, patterns, corpus, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = time.time()
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
texts = [t.replace("\n", " ").replace("\r", " ").strip() for (t,) in con.execute("SELECT text FROM posts ORDER BY id LIMIT 100000")]
texts = [t for t in texts if t]
if os.path.exists(patterns):
    print(f"prep: reusing {patterns}")
else:
    with open(patterns + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    os.replace(patterns + ".tmp", patterns)
    print(f"prep: wrote {patterns} in {time.time() - t:.1f} s")
target = mb * 1_000_000
if os.path.exists(corpus) and os.path.getsize(corpus) >= target:
    print(f"prep: reusing {corpus}")
    sys.exit(0)
t = time.time()
rng = random.Random(1)
# Words with their frequencies in the posts (URLs and mentions as often as in real posts).
words = [w for t in texts[:20000] for w in t.split()]
# A pool of random documents, sampled with replacement: fast to write, and not one of them is
# a post (each is drawn word by word).
dump = lambda t: json.dumps({"text": t}, ensure_ascii=False)
pool = [dump(" ".join(rng.choices(words, k=rng.randint(8, 60)))) for _ in range(20000)]
planted = [dump(t) for t in rng.sample(texts, 300)]
written = 0
with open(corpus + ".tmp", "w", encoding="utf-8") as f:
    while written < target:
        batch = rng.choices(pool, k=5000)
        if rng.random() < 0.5 and planted:
            batch[rng.randrange(len(batch))] = planted.pop()
        chunk = "\n".join(batch) + "\n"
        f.write(chunk)
        written += len(chunk.encode())
    for p in planted:
        f.write(p + "\n")
os.replace(corpus + ".tmp", corpus)
print(f"prep: wrote {corpus} in {time.time() - t:.1f} s")
EOF

bytes=$(stat -c %s "$CORPUS")
mb_real=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
echo "corpus: $CORPUS ($mb_real MB), patterns: $(wc -l <"$PATTERNS") post texts"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "one core: grep and sluice trace each run alone under taskset -c $CPU; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Warm the page cache: the corpus for all, each store for its trace.
t=$(now)
cat "$CORPUS" "$DATA"/sluice.db* >/dev/null
[ "$POSTS_1M" = 0 ] || cat "$DATA_1M"/sluice.db* >/dev/null
echo "prep: page cache warmed in $(since "$t") s"

t0=$(now)
rc=0
matches=$(LC_ALL=C taskset -c "$CPU" timeout "$GREP_TIMEOUT" grep -F -c -f "$PATTERNS" "$CORPUS") || rc=$?
grep_s=$(python3 -c "print(f'{$(now)-$t0:.2f}')")
grep_stopped=0
if [ "$rc" -eq 124 ]; then
  grep_stopped=1
  matches="?"
elif [ "$rc" -gt 1 ]; then
  echo "trace_bench: grep failed ($rc)" >&2; exit 1
fi

# grep's start-up alone: the same patterns against empty input.
t0=$(now)
LC_ALL=C taskset -c "$CPU" grep -F -c -f "$PATTERNS" /dev/null >/dev/null || true
grep_setup_s=$(python3 -c "print(f'{$(now)-$t0:.2f}')")

# trace DATA_DIR REPORT [all]: runs sluice trace on one core (one thread), or with "all" on
# every core; prints its whole-command seconds.
trace() {
  local t
  t=$(now)
  if [ "${3:-}" = all ]; then
    "$SLUICE" trace --threads "$(nproc)" --data "$1" --quiet --json "$CORPUS" >"$2"
  else
    taskset -c "$CPU" "$SLUICE" trace --threads 1 --data "$1" --quiet --json "$CORPUS" >"$2"
  fi
  python3 -c "print(f'{$(now)-$t:.2f}')"
}
trace_s=$(trace "$DATA" "$WORK/trace-100k.json")
trace_1m_s=0
[ "$POSTS_1M" = 0 ] || trace_1m_s=$(trace "$DATA_1M" "$WORK/trace-1m.json")
trace_all_s=$(trace "$DATA" "$WORK/trace-100k-all.json" all)
trace_1m_all_s=0
[ "$POSTS_1M" = 0 ] || trace_1m_all_s=$(trace "$DATA_1M" "$WORK/trace-1m-all.json" all)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (above ~1: other processes shared the machine and the times are inflated)"

python3 - "$bytes" "$grep_s" "$grep_stopped" "$matches" "$GREP_TIMEOUT" "$trace_s" "$WORK/trace-100k.json" \
  "$trace_1m_s" "$WORK/trace-1m.json" "$POSTS_1M" "$grep_setup_s" "$trace_all_s" "$WORK/trace-100k-all.json" \
  "$trace_1m_all_s" "$WORK/trace-1m-all.json" "$(nproc)" <<'EOF'
import json, sys
b, g, stopped, m, timeout = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5]
grep_setup, cores = float(sys.argv[11]), sys.argv[16]
mb = b / 1e6

def trace_lines(label, seconds, report):
    r = json.load(open(report))
    t = r["timing"]
    print(f"{label:<20}: {seconds:8.2f} s {mb/seconds:8.1f} MB/s whole command (index build included); "
          f"posts matched {r['posts_matched']}, indexed {r['indexed_posts']}")
    print(f"{'':<20}  phases: index {t['index_seconds']:.2f} s (store read {t['store_read_seconds']:.2f} s), "
          f"served {t['served_seconds']:.2f} s, scan {t['scan_seconds']:.2f} s = {t['scan_mb_per_s']:.1f} MB/s, "
          f"attribution {t['attribution_seconds']:.2f} s"
          + (" (indexes built during the scan)" if t.get("indexes_built_during_scan") else ""))
    return r

print("(a) 100,000 posts: grep -F -f with their texts against sluice trace with them indexed")
note = f" (stopped by the {timeout} s timeout: a lower bound on its time)" if stopped else ""
print(f"{'grep -F -c -f':<20}: {g:8.2f} s {mb/g:8.1f} MB/s  lines matched {m}{note}")
print(f"{'':<20}  of which start-up (the same patterns on empty input): {grep_setup:.2f} s")
bound = ">= " if stopped else ""
def ratio(label, seconds, report, target):
    r = trace_lines(label, seconds, report)
    scan = r["timing"]["scan_seconds"]
    print(f"{'':<20}  grep / trace, whole command: {bound}{g/seconds:.1f}x{target}; "
          f"scan phase alone: {bound + f'{g/scan:.1f}x' if scan > 0 else 'n/a'}")
# The criterion compares the two commands as they run (grep has one thread; trace uses every
# core by default); the one-core ratio is shown too.
ratio("trace (100k, 1 core)", float(sys.argv[6]), sys.argv[7], "")
ratio(f"trace (100k, {cores} cores)", float(sys.argv[12]), sys.argv[13], " (target >= 5x)")
if sys.argv[10] == "0":
    print("(b) 1,000,000 posts: skipped (POSTS_1M=0)")
else:
    print("(b) 1,000,000 posts indexed, same corpus (target >= 300 MB/s on one core)")
    trace_lines("trace (1M, 1 core)", float(sys.argv[8]), sys.argv[9])
    trace_lines(f"trace (1M, {cores} cores)", float(sys.argv[14]), sys.argv[15])
EOF
