-- Submissions and decisions (record): each request POSTs to the path pattern with one line's filing
-- id (`%s`) and token, e.g. "/api/v1/filings/%s/submit" or "/api/v1/filings/%s/record".
-- wrk ... -s post.lua http://127.0.0.1:8081 -- <dir>/submit.txt <threads> <pattern>
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local lines = require("lines")
setup = lines.setup
done = lines.done

local mine, pattern, i
function init(args)
  mine = lines.load(args[1], tonumber(args[2]))
  pattern = args[3]
  i = 0
end

function request()
  i = i + 1
  local l = mine[(i - 1) % #mine + 1]
  return wrk.format("POST", string.format(pattern, l.rest),
    { ["Authorization"] = "Bearer " .. l.token }, "")
end
