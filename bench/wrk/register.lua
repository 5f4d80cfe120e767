-- Registration of new users, each name unique to the run (BENCH_RUN), thread and request.
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")
common.install(_G)

local run = os.getenv("BENCH_RUN")
local password = os.getenv("BENCH_PASSWORD")
local headers = { ["Content-Type"] = "application/json" }
local counter = 0
local tag

function init(args)
  -- Note: a tag of this thread's start time, so the warm-up and the measurements never reuse a name.
  tag = string.format("%s_%d_%d", run, thread_id, math.floor(common.now_ms()))
end

function request()
  counter = counter + 1
  local body = string.format('{"username":"r%s_%d","password":"%s"}', tag, counter, password)
  return wrk.format("POST", "/api/auth/register", headers, body)
end
