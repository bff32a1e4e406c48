-- wrk script for bench/http_bench.sh: GET the request targets listed in $HTTP_BENCH_TARGETS
-- (one per line) in turn, each wrk thread from its own starting point, with
-- "Authorization: Bearer $HTTP_BENCH_TOKEN" when that is set (sluice; nginx ignores it).

local targets = {}
for line in io.lines(os.getenv("HTTP_BENCH_TARGETS")) do
  if line ~= "" then targets[#targets + 1] = line end
end

local token = os.getenv("HTTP_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = 0
function setup(thread)
  thread:set("start", threads * 97)
  threads = threads + 1
end

local i
function request()
  i = ((i or start or 0) % #targets) + 1
  return wrk.format("GET", targets[i])
end
