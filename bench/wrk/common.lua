-- Shared by the bench scripts: constant-rate pacing and a machine-readable summary.
--
-- wrk 4 (Debian's) has no constant-rate mode (wrk2's -R). With BENCH_RATE set (requests per second over all
-- threads), each thread hands out send times on a fixed schedule, offset per thread; a connection whose slot has
-- not come yet waits for it (wrk's delay hook). A thread that falls behind sends at once until it catches up, so
-- the offered rate holds whatever the answers' latency, and the summary reports how many sends were late.
local ffi = require("ffi")
pcall(ffi.cdef, [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]])
local now_buffer = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1

local common = {}

function common.now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local threads = {}
local thread_count = 0

-- setup runs in wrk's main state once per thread, before that thread's init.
function common.setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
local next_slot, interval, late = nil, nil, 0

function common.delay()
  local now = common.now_ms()
  if next_slot == nil then
    interval = tonumber(os.getenv("BENCH_THREADS")) * 1000 / rate
    next_slot = now + interval * ((thread_id or 1) - 1) / tonumber(os.getenv("BENCH_THREADS"))
  end
  local slot = next_slot
  next_slot = next_slot + interval
  if now > slot + interval then late = late + 1 end
  return math.max(0, slot - now)
end

function common.late() return late end

function common.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local late_total = 0
  for _, thread in ipairs(threads) do late_total = late_total + (thread:get("late_sends") or 0) end
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("seconds=%.2f\n", seconds))
  io.write(string.format("rps=%.1f\n", summary.requests / seconds))
  io.write(string.format("non2xx=%d\n", summary.errors.status))
  io.write(string.format("socket_errors=%d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("late_sends=%d\n", late_total))
  io.write(string.format("p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99_ms=%.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms=%.2f\n", latency.max / 1000))
end

-- Installs the hooks every bench script shares into the script's globals.
function common.install(env)
  env.setup = common.setup
  env.done = common.done
  if rate then
    env.delay = function()
      local wait = common.delay()
      env.late_sends = common.late()
      return wait
    end
  end
end

-- application/x-www-form-urlencoded value.
function common.form(value)
  return (string.gsub(value, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

return common
