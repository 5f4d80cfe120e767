-- A GET, with the Authorization header BENCH_AUTHORIZATION when set (the resource API's protected endpoint).
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")
common.install(_G)

local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end
