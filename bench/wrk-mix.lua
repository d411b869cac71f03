-- wrk script: replays a file of API paths (one per line) in order, each
-- thread from its own offset, and reports non-2xx answers. The file is
-- named by the environment variable VP_MIX.
local paths = {}
local path_file = os.getenv("VP_MIX") or "bench/queries/mix-2000.txt"
for line in io.lines(path_file) do
  if #line > 0 then paths[#paths + 1] = line end
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  i = offset or 0
  non2xx = 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "WRK requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f non2xx=%d errors=%d"
      .. " max_ms=%.3f connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout,
    latency.max / 1000, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
