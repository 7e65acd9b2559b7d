-- The reviewer's queue: each request opens a page of its reviewer's province queue with the
-- given query string, rotating over the seeded reviewers (optionally of one province only).
-- wrk ... -s queue.lua http://127.0.0.1:8082 -- <dir>/reviewers.txt <threads> "<query>" [province]
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local lines = require("lines")
setup = lines.setup
done = lines.done

local mine, query, i
function init(args)
  mine = lines.load(args[1], tonumber(args[2]), args[4])
  query = args[3]
  i = 0
end

function request()
  i = i + 1
  local l = mine[(i - 1) % #mine + 1]
  return wrk.format("GET", "/api/v1/review/queue?" .. query,
    { ["Authorization"] = "Bearer " .. l.token })
end
