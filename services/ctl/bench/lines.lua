-- Shared by the benchmark scripts: each wrk thread takes its share of the lines of an input
-- file written by `frtctl bench-prepare` ("<token> <rest>"), and the run ends with one JSON
-- line of figures.
local M = {}

local counter = 0
function M.setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

-- Lines of `file` for this thread (`threads` in all), optionally only those whose rest
-- equals `only`.
function M.load(file, threads, only)
  local mine, n = {}, 0
  for line in io.lines(file) do
    local token, rest = line:match("^(%S+) (%S+)")
    if token and (only == nil or only == "*" or rest == only) then
      if n % threads == id then
        table.insert(mine, { token = token, rest = rest })
      end
      n = n + 1
    end
  end
  assert(#mine > 0, "no input lines for thread " .. id .. " in " .. file)
  return mine
end

function M.done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "rps": %.0f, "p50_ms": %.2f, "p90_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

return M
