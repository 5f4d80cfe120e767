-- refresh_token grant with rotation: each connection keeps one login's chain going. The pool of first refresh
-- tokens (one per line, BENCH_REFRESH_TOKENS) is shared out among the threads; each answer's new refresh token
-- is the next request's.
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")
common.install(_G)

local client = common.form(os.getenv("BENCH_PASSWORD_CLIENT"))
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local queue, first, last = {}, 1, 0
-- Note: before starting, wrk asks the first thread for one request only to check that it parses, and never sends
-- it; that call must not consume a token, or that thread's chain would end at once.
local verifying

function init(args)
  verifying = thread_id == 1
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_REFRESH_TOKENS")) do
    if line_number % threads == thread_id - 1 then
      last = last + 1
      queue[last] = line
    end
    line_number = line_number + 1
  end
end

function request()
  if verifying then
    verifying = false
    return wrk.format("POST", "/connect/token", headers, "grant_type=refresh_token")
  end
  local token = "exhausted"
  if first <= last then
    token = queue[first]
    queue[first] = nil
    first = first + 1
  end
  return wrk.format("POST", "/connect/token", headers,
    "grant_type=refresh_token&client_id=" .. client .. "&refresh_token=" .. common.form(token))
end

-- Note: the first refused answers of each thread go to BENCH_FAILURES (scripts/bench.sh keeps it with the servers'
-- logs), since one refused refresh ends its chain and the cause is in the answer's error_description.
local failures_kept = 0

function response(status, headers, body)
  if status ~= 200 and failures_kept < 3 and os.getenv("BENCH_FAILURES") then
    failures_kept = failures_kept + 1
    local file = io.open(os.getenv("BENCH_FAILURES"), "a")
    if file then
      file:write(string.format("thread %d: %d %s\n", thread_id, status, body or ""))
      file:close()
    end
  end
  local token = body and body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then
    last = last + 1
    queue[last] = token
  end
end
