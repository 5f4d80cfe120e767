-- Password grant for a random seeded user (bench0000001 .. bench<BENCH_USERS>), as a password-grant client asks:
-- openid, offline_access (a refresh token) and api.
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")
common.install(_G)

local users = tonumber(os.getenv("BENCH_USERS"))
local prefix = "grant_type=password&client_id=" .. common.form(os.getenv("BENCH_PASSWORD_CLIENT")) ..
  "&scope=openid+offline_access+api&password=" .. common.form(os.getenv("BENCH_PASSWORD")) .. "&username="
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function init(args)
  math.randomseed(thread_id * 7919 + os.time())
end

function request()
  local body = prefix .. string.format("bench%07d", math.random(1, users))
  return wrk.format("POST", "/connect/token", headers, body)
end
