-- One GET, repeated; the credentials come from the environment:
-- BENCH_COOKIE (a session cookie for the web pages), BENCH_TOKEN (an OAuth bearer token).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
require("report")

local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_TOKEN")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

done = bench_report
