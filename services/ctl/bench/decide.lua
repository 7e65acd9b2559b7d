-- Decisions per second: each request records (备案) one queued filing, issuing its number.
-- wrk ... -s decide.lua http://127.0.0.1:8082 -- <dir>/decide.txt <threads>
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local lines = require("lines")
setup = lines.setup
done = lines.done

local mine, i
function init(args)
  mine = lines.load(args[1], tonumber(args[2]))
  i = 0
end

function request()
  i = i + 1
  local l = mine[(i - 1) % #mine + 1]
  return wrk.format("POST", "/api/v1/filings/" .. l.rest .. "/record",
    { ["Authorization"] = "Bearer " .. l.token }, "")
end
