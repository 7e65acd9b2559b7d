-- The portal's pages as a processor's browser asks for them: each request opens the page at
-- the given path ("%s" is the line's filing) with the line's browser session, rotating over
-- the seeded organisations' admins.
-- wrk ... -s pages.lua http://127.0.0.1:8081 -- <dir>/pages.txt <threads> "/filings/%s" [cookie]
-- (the cookie's name: the portal's by default, `frt-casework-session` for casework's pages
-- with the reviewers' sessions of staff_pages.txt)
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local lines = require("lines")
setup = lines.setup
done = lines.done

local mine, path, cookie, i
function init(args)
  mine = lines.load(args[1], tonumber(args[2]))
  path = args[3]
  cookie = args[4] or "frt-portal-session"
  i = 0
end

function request()
  i = i + 1
  local l = mine[(i - 1) % #mine + 1]
  return wrk.format("GET", string.format(path, l.rest),
    { ["Cookie"] = cookie .. "=" .. l.token, ["Accept-Language"] = "zh-CN" })
end
