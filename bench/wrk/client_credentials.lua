-- client_credentials grant of a confidential client, scope api. The client authenticates with client_secret_basic:
-- BENCH_AUTHORIZATION holds the whole "Basic ..." header value, made by scripts/bench.sh.
package.path = "bench/wrk/?.lua;" .. package.path
local common = require("common")
common.install(_G)

wrk.method = "POST"
wrk.path = "/connect/token"
wrk.body = "grant_type=client_credentials&scope=api"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
