#!/usr/bin/env bash
# Speed of `sluice trace` against `grep -F -f`, side by side in one run (see docs/trace.md,
# "Speed"). Run by hand after `make build`:
#
#   bench/trace_bench.sh [MB] [WORKDIR]     # MB: corpus size, default 200 (1024 for 1 GB)
#
# Seeds WORKDIR/data (20,000 users, 100,000 posts) once, exports the post texts to
# WORKDIR/patterns.txt, writes a JSONL corpus of about MB megabytes (random text in the posts'
# vocabulary, with a few hundred of the posts' texts), then times
#   LC_ALL=C grep -F -c -f patterns.txt corpus        (stopped after GREP_TIMEOUT s, default 180)
#   sluice trace --data DIR --quiet --json corpus
# and prints MB/s for both and the ratio. A grep stopped by the timeout gives a lower bound.
set -euo pipefail

MB=${1:-200}
WORK=${2:-/tmp/sluice-trace-bench}
GREP_TIMEOUT=${GREP_TIMEOUT:-180}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=$ROOT/build/src/sluice
[ -x "$SLUICE" ] || { echo "trace_bench: build first (make build): $SLUICE missing" >&2; exit 1; }
mkdir -p "$WORK"
DATA=$WORK/data
CORPUS=$WORK/corpus-${MB}mb.jsonl
PATTERNS=$WORK/patterns.txt

if [ ! -f "$DATA/sluice.db" ]; then
  echo "seeding $DATA (20,000 users, 100,000 posts)"
  "$SLUICE" seed --data "$DATA" --users 20000 --posts 100000 >/dev/null
fi

# Post texts (one per line, newlines folded) and the corpus. Python's sqlite3 module reads the
# store; the sqlite3 CLI is not needed.
python3 - "$DATA/sluice.db" "$PATTERNS" "$CORPUS" "$MB" <<'EOF'
import json, os, random, sqlite3, sys
db, patterns, corpus, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
texts = [t.replace("\n", " ").replace("\r", " ").strip() for (t,) in con.execute("SELECT text FROM posts ORDER BY id LIMIT 100000")]
texts = [t for t in texts if t]
with open(patterns, "w", encoding="utf-8") as f:
    f.write("\n".join(texts) + "\n")
target = mb * 1_000_000
if os.path.exists(corpus) and os.path.getsize(corpus) >= target:
    sys.exit(0)
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
EOF

bytes=$(stat -c %s "$CORPUS")
mb_real=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
echo "corpus: $CORPUS ($mb_real MB), patterns: $(wc -l <"$PATTERNS") post texts"
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME")"

now() { date +%s.%N; }

# Warm the page cache for both.
cat "$CORPUS" >/dev/null

t0=$(now)
rc=0
matches=$(LC_ALL=C timeout "$GREP_TIMEOUT" grep -F -c -f "$PATTERNS" "$CORPUS") || rc=$?
t1=$(now)
grep_s=$(python3 -c "print(f'{$t1-$t0:.2f}')")
grep_note=""
if [ "$rc" -eq 124 ]; then
  grep_note=" (stopped by the ${GREP_TIMEOUT}s timeout: a lower bound on its time)"
  matches="?"
elif [ "$rc" -gt 1 ]; then
  echo "trace_bench: grep failed ($rc)" >&2; exit 1
fi

t2=$(now)
"$SLUICE" trace --data "$DATA" --quiet --json "$CORPUS" >"$WORK/trace.json"
t3=$(now)
trace_s=$(python3 -c "print(f'{$t3-$t2:.2f}')")

python3 - "$bytes" "$grep_s" "$trace_s" "$matches" "$grep_note" "$WORK/trace.json" <<'EOF'
import json, sys
b, g, t, m, note, report = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
r = json.load(open(report))
print(f"grep -F -f : {g:8.2f} s {b/1e6/g:8.1f} MB/s  lines matched {m}{note}")
print(f"sluice trace: {t:8.2f} s {b/1e6/t:8.1f} MB/s  posts matched {r.get('posts_matched')}, indexed {r.get('indexed_posts')} (index build included)")
print(f"ratio (grep time / trace time): {'>= ' if note else ''}{g/t:.1f}x")
EOF
