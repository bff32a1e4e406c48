#!/usr/bin/env bash
# End-to-end latency of the filtered stream (docs/benchmarks.md, "Streams"): from the start of a
# POST /2/tweets to the post's line on each of N open streams. Run after `make build`:
#
#   bench/stream_latency.sh [BUILD_DIR] [STREAMS] [POSTS]     # default build 100 200
#
# Seeds 200 users and 2,000 posts in a temporary data dir, creates STREAMS enterprise apps,
# each with one rule that every bench post matches plus 999 rules that none does (so matching
# runs against STREAMS x 1,000 rules), serves on 127.0.0.1:18933, opens one stream per app,
# then writes POSTS posts, one every 20 ms, and reports the latency percentiles over all
# (post, stream) pairs, and the same for a reference: the POST's own response time.
set -euo pipefail
BUILD=${1:-build}
STREAMS=${2:-100}
POSTS=${3:-200}
B=$BUILD/src/sluice
D=$(mktemp -d /tmp/sluice-stream-bench-XXXXXX)
PORT=18933
P=http://127.0.0.1:$PORT
$B seed --data "$D" --users 200 --posts 2000 >/dev/null
W=$($B apps create --data "$D" --name writer --plan enterprise | python3 -c "import json,sys;print(json.load(sys.stdin)['bearer_token'])")
for i in $(seq "$STREAMS"); do
  $B apps create --data "$D" --name "reader$i" --plan enterprise | python3 -c "import json,sys;print(json.load(sys.stdin)['bearer_token'])"
done > "$D/tokens.txt"
$B serve --data "$D" --listen 127.0.0.1:$PORT --app-tokens-write > "$D/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null $P/healthz && break; sleep 0.1; done
python3 - "$PORT" "$W" "$D/tokens.txt" "$POSTS" <<'PY'
import json, selectors, socket, sys, time, urllib.request
port, writer, tokens_file, posts = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
base = "http://127.0.0.1:%d" % port
tokens = open(tokens_file).read().split()

def call(method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

for t in tokens:
    rules = [{"value": "streambench"}] + [{"value": "zzqx%d yyqw%d" % (i, i)} for i in range(999)]
    for i in range(0, len(rules), 100):
        call("POST", "/2/tweets/search/stream/rules", t, {"add": rules[i:i + 100]})

sel = selectors.DefaultSelector()
bufs = {}
for t in tokens:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /2/tweets/search/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % t).encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    bufs[s] = b""
arrived = {}  # post id -> list of arrival times

def pump(until):
    while True:
        timeout = until - time.monotonic()
        if timeout <= 0:
            return
        for key, _ in sel.select(timeout):
            s = key.fileobj
            data = s.recv(1 << 16)
            if not data:
                sel.unregister(s)
                continue
            now = time.monotonic()
            bufs[s] += data
            # Chunk framing aside, each post line holds "id":"..."; find the ids of complete lines.
            while b"\r\n" in bufs[s]:
                line, bufs[s] = bufs[s].split(b"\r\n", 1)
                if line.startswith(b'{"data"'):
                    pid = json.loads(line)["data"]["id"]
                    arrived.setdefault(pid, []).append(now)

pump(time.monotonic() + 1.0)  # heads and keep-alives
sent, post_ms = {}, []
for i in range(posts):
    t0 = time.monotonic()
    pid = call("POST", "/2/tweets", writer, {"text": "streambench post %d" % i})["data"]["id"]
    post_ms.append((time.monotonic() - t0) * 1000)
    sent[pid] = t0
    pump(time.monotonic() + 0.02)
pump(time.monotonic() + 2.0)
lat = sorted((a - sent[p]) * 1000 for p, times in arrived.items() if p in sent for a in times)
expected = len(sent) * len(tokens)
def pct(v, q): return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")
post_ms.sort()
print("streams %d, posts %d, lines %d of %d expected" % (len(tokens), len(sent), len(lat), expected))
print("POST -> line on a stream: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (pct(lat, .5), pct(lat, .99), lat[-1] if lat else 0))
print("reference, the POST's own response: p50 %.1f ms, p99 %.1f ms" % (pct(post_ms, .5), pct(post_ms, .99)))
PY
