-- A steady mix at a fixed rate: 90 % reads (home, hashtag, thread, profile pages), 10 %
-- writes (post, favourite, follow) through the web forms with the session's CSRF token,
-- or through the client API with a bearer token when BENCH_WRITE_API=1.
-- Each connection waits between requests so that all together keep BENCH_RATE requests/s.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
require("report")

local function split(text)
  local items = {}
  for item in string.gmatch(text or "", "[^|]+") do table.insert(items, item) end
  return items
end

local cookie = os.getenv("BENCH_COOKIE") or ""
local token = os.getenv("BENCH_TOKEN") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local use_api = os.getenv("BENCH_WRITE_API") == "1"
local reads = split(os.getenv("BENCH_READS"))
local favourites = split(os.getenv("BENCH_FAVOURITE_IDS"))
local targets = split(os.getenv("BENCH_FOLLOW_IDS"))
local rate = tonumber(os.getenv("BENCH_RATE") or "50")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "8")
local gap_ms = math.max(1, math.floor(connections * 1000 / rate))
local counter = 0

function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) % 1000)
end

local function headers(form)
  local h = {}
  if cookie ~= "" then h["Cookie"] = cookie end
  if csrf ~= "" then h["X-CSRFToken"] = csrf end
  if use_api and token ~= "" then h["Authorization"] = "Bearer " .. token end
  if form then h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end

local function write_request()
  counter = counter + 1
  local pick = math.random(3)
  if pick == 1 or #favourites == 0 then
    local words = "Benchmark+" .. counter .. "+%23bibliotheques"
    local body = "text=" .. words .. "&visibility=public&language=fr"
    local path = "/compose"
    if use_api then
      body = "status=" .. words .. "&visibility=public"
      path = "/api/v1/statuses"
    end
    return wrk.format("POST", path, headers(true), body)
  elseif pick == 2 then
    local id = favourites[math.random(#favourites)]
    local path = use_api and ("/api/v1/statuses/" .. id .. "/favourite")
      or ("/statuses/" .. id .. "/favourite")
    return wrk.format("POST", path, headers(true), "")
  else
    local id = targets[math.random(math.max(1, #targets))]
    local verb = (math.random(2) == 1) and "follow" or "unfollow"
    local path = use_api and ("/api/v1/accounts/" .. id .. "/" .. verb)
      or ("/accounts/" .. id .. "/" .. verb)
    return wrk.format("POST", path, headers(true), "")
  end
end

function request()
  if math.random(10) == 1 then return write_request() end
  return wrk.format("GET", reads[math.random(#reads)], headers(false))
end

function delay()
  return gap_ms
end

done = bench_report
