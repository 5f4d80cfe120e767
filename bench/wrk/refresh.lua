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

function response(status, headers, body)
  local token = body and body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then
    last = last + 1
    queue[last] = token
  end
end
