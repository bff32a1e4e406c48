#!/usr/bin/env bash
# Time of a batch compliance job of 100,000 ids (docs/api.md, "Compliance"). Run by hand after
# `make build`:
#
#   bench/compliance_job.sh [BUILD_DIR]     # default build
#
# Seeds 200 users and 20,000 posts in a temporary data dir, serves it on 127.0.0.1:18932, reads
# up to 20,000 post ids through the full-archive search, adds random unknown ids up to 100,000,
# and times: the upload (PUT of the file, with curl's Expect: 100-continue), a GET of the job
# while it is checked (the worker is not held), the time until the job is complete (from the
# start of the upload), and the download.
set -euo pipefail
BUILD=${1:-build}
B=$BUILD/src/sluice
D=$(mktemp -d /tmp/sluice-compliance-bench-XXXXXX)
PORT=18932
P=http://127.0.0.1:$PORT
$B seed --data "$D" --users 200 --posts 20000 >/dev/null
T=$($B apps create --data "$D" --name bench --plan enterprise | python3 -c "import json,sys;print(json.load(sys.stdin)['bearer_token'])")
$B serve --data "$D" --listen 127.0.0.1:$PORT > "$D/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null $P/healthz && break; sleep 0.1; done
python3 - "$P" "$T" "$D/ids.txt" <<'PY'
import json, random, sys, urllib.request
P, T, out = sys.argv[1:4]
ids, token = [], None
while len(ids) < 20000:
    url = (P + "/2/tweets/search/all?query=the%20OR%20le%20OR%20de%20OR%20a%20OR%20la&max_results=500"
           "&start_time=2006-03-21T00:00:00Z" + ("&next_token=" + token if token else ""))
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + T})))
    ids += [p["id"] for p in page.get("data", [])]
    token = page.get("meta", {}).get("next_token")
    if not token:
        break
rng = random.Random(1)
ids += [str(rng.randrange(10**17, 10**18)) for _ in range(100000 - len(ids))]
open(out, "w").write("\n".join(ids) + "\n")
PY
job=$(curl -s -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"type":"tweets"}' $P/2/compliance/jobs)
field() { echo "$job" | python3 -c "import json,sys;print(json.load(sys.stdin)['data']['$1'])"; }
ID=$(field id); UP=$(field upload_url); DOWN=$(field download_url)
start=$(date +%s.%N)
curl -s -X PUT -H 'Content-Type: text/plain' --data-binary @"$D/ids.txt" -o /dev/null \
  -w "upload of $(wc -c < "$D/ids.txt") bytes: %{http_code} in %{time_total} s\n" "$UP"
curl -s -o /dev/null -w 'a GET of the job while it is checked: %{time_total} s\n' -H "Authorization: Bearer $T" $P/2/compliance/jobs/$ID
while [ "$(curl -s -H "Authorization: Bearer $T" $P/2/compliance/jobs/$ID | python3 -c "import json,sys;print(json.load(sys.stdin)['data']['status'])")" != complete ]; do
  sleep 0.02
done
echo "complete $(python3 -c "import time;print(round(time.time()-$start,3))") s after the upload began"
curl -s -o "$D/result.jsonl" -w 'download: %{http_code}, %{size_download} bytes in %{time_total} s\n' "$DOWN"
