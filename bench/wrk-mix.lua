-- wrk script: replays a file of API paths (one per line) in order, each
-- thread from its own offset, and reports answers with a status of 400 or
-- more (non2xx). The file is named by the environment variable VP_MIX.
-- No response() callback: with one, wrk hands every body to Lua, and the
-- load generator shares the cores with the server it measures.
local paths = {}
local path_file = os.getenv("VP_MIX") or "bench/queries/mix-2000.txt"
for line in io.lines(path_file) do
  if #line > 0 then paths[#paths + 1] = line end
end

local counter = 1

function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end

-- Each request is formatted once per thread, not once per send.
function init(args)
  i = offset or 0
  requests = {}
  for k, p in ipairs(paths) do
    requests[k] = wrk.format("GET", p)
  end
end

function request()
  i = i + 1
  return requests[(i % #paths) + 1]
end

function done(summary, latency, requests)
  local bad = summary.errors.status
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
