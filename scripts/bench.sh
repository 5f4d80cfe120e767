#!/usr/bin/env bash
# IdentityHost's benchmark: builds the identity server and the sample resource API in Release, runs them on loopback
# against a real database, drives them with wrk (Debian package wrk) and prints one table of figures and ratios, all
# from this one run. docs/benchmarks.md explains each figure and holds the last published table.
#
#   scripts/bench.sh                  MySQL (a private mariadbd from the Debian package mariadb-server)
#   scripts/bench.sh --sqlite         SQLite instead
#   scripts/bench.sh --update-docs    also replace the table in docs/benchmarks.md
#   scripts/bench.sh --peers          also run the Node.js oidc-provider (npm) beside IdentityHost, in turn
#   scripts/bench.sh --peers-only     only that comparison (and the start-up figures); with --update-docs it
#                                     replaces only the comparison's table and chart (docs/bench-peers.svg)
#   scripts/bench.sh --cluster        also the same scenarios through HAProxy on three nodes sharing a 3-member
#                                     MariaDB Galera cluster (galera-4, rsync, haproxy), beside the single node's
#
#   BENCH_SECONDS=10                  length of each measurement (each has 5 s of warm-up before it)
#   BENCH_LARGE_USERS=1000000         users for the scale figures (the first figures use 1,000)
#   BENCH_PEER_ROUNDS=2               rounds of each side per scenario in the comparison (A B A B ...)
#   IDENTITYHOST_SKIP_BUILD=1         use the existing Release build (and the peer's installed packages)
#
# Needs: the .NET SDK, wrk, curl, openssl, python3, and mariadb-server for MySQL:
#   apt-get install wrk curl openssl python3 mariadb-server
# and for --peers Node.js 20.19 or later with npm (the peer's packages are pinned by its package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/local-servers.sh
source scripts/lib/local-servers.sh
root=$PWD
database=mysql
update_docs=0
peers=0
peers_only=0
cluster=0
for argument in "$@"; do
  case "$argument" in
    --sqlite) database=sqlite ;;
    --mysql) database=mysql ;;
    --update-docs) update_docs=1 ;;
    --peers) peers=1 ;;
    --peers-only) peers=1 peers_only=1 ;;
    --cluster) cluster=1 ;;
    *) sed -n '2,24p' "$0" >&2; exit 2 ;;
  esac
done
seconds=${BENCH_SECONDS:-10}
peer_rounds=${BENCH_PEER_ROUNDS:-2}
small_users=1000
large_users=${BENCH_LARGE_USERS:-1000000}
export PATH=$PATH:/usr/sbin

for tool in wrk curl openssl python3 dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool is not installed (see the top of $0)" >&2; exit 1; }
done
if [[ "$peers" == 1 ]]; then
  for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: --peers needs $tool (Node.js 20.19 or later)" >&2; exit 1; }
  done
fi
if [[ "$database" == mysql ]] && ! command -v mariadbd >/dev/null 2>&1; then
  echo "FAIL: mariadbd is not installed (apt-get install mariadb-server), or run with --sqlite" >&2
  exit 1
fi

published=$root/artifacts/bench/publish
if [[ "${IDENTITYHOST_SKIP_BUILD:-0}" != 1 ]]; then
  # Note: the servers run as they are deployed: published in Release, with ReadyToRun code (compiled ahead of time,
  # so start-up and the first requests do not wait for the JIT).
  echo "==> publish (Release, ReadyToRun)"
  for project in IdentityServer SampleResourceApi; do
    dotnet publish "src/$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$published/$project" -nologo -clp:ErrorsOnly -v quiet >/dev/null
  done
  dotnet build bench/IdentityHost.Benchmarks -c Release -nologo -clp:ErrorsOnly -v quiet >/dev/null
fi
peer_dir=$root/bench/peers/oidc-provider
if [[ "$peers" == 1 && ( "${IDENTITYHOST_SKIP_BUILD:-0}" != 1 || ! -d "$peer_dir/node_modules" ) ]]; then
  echo "==> peer: npm ci (oidc-provider, pinned by bench/peers/oidc-provider/package-lock.json)"
  (cd "$peer_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
server_dll=$published/IdentityServer/IdentityServer.dll
api_dll=$published/SampleResourceApi/SampleResourceApi.dll
bench_dll=$root/bench/IdentityHost.Benchmarks/bin/Release/net10.0/IdentityHost.Benchmarks.dll

work=$(mktemp -d -t identityhost-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_pid_files
  wait 2>/dev/null || true
  # Note: the servers' logs are kept beside the figures, so an answer that was not 2xx can be traced after the run.
  if [[ -n "${results:-}" ]]; then
    rm -rf "$results/logs" && mkdir -p "$results/logs"
    (cd "$work" && find . -name '*.log' -type f -exec cp --parents {} "$results/logs/" \;) 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

results=$root/artifacts/bench
mkdir -p "$results"
figures=$results/figures.txt
: >"$figures"
record() { echo "$1=$2" >>"$figures"; }
# Copies "name=value" lines of a tool's output into the figures, each name prefixed.
record_output() { sed -n "s/^\([a-z0-9_]*\)=\(.*\)$/$1_\1=\2/p" >>"$figures"; }
figure() { sed -n "s/^$1=//p" "$figures" | tail -n 1; }

echo "==> machine"
record cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
record cores "$(nproc)"
record memory_gib "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
record kernel "$(uname -r)"
record os "$(. /etc/os-release && echo "$PRETTY_NAME")"
record dotnet "$(dotnet --version)"
record wrk "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f2)"
record database "$database"
[[ "$database" == mysql ]] && record mariadb "$(mariadbd --version | sed 's/.*Ver \([^ ]*\).*/\1/')"
record date "$(date -u +%Y-%m-%d)"
record seconds "$seconds"
record build "Release, ReadyToRun"

# The raw password-hash limit (in-process, every core, the server's hasher settings) against a scenario over HTTP:
# three rounds of the one then the other, a few seconds each, so that a change in the machine's speed (a shared
# virtual machine's varies by half within minutes) weighs on both sides of the ratio alike.
against_hash_limit() {
  local name=$1 script=$2
  echo "    $name against the raw hash limit, in turn"
  for round in 1 2 3; do
    dotnet "$bench_dll" hash "$root/src/IdentityServer" 4 | record_output "${name}_raw_$round"
    run_wrk "${name}_paired_$round" "$script" "$server_url" 2 8 "" 4 >/dev/null
  done
}

password="bench pass phrase $(openssl rand -hex 6)"
service_secret=$(openssl rand -hex 24)
basic_authorization="Basic $(printf '%s' "bench-service:$service_secret" | base64 -w0)"

connection_for() {
  case "$database:$1" in
    mysql:*) echo "Server=127.0.0.1;Port=$mysql_port;Database=$1;User ID=root;Password=;SslMode=Disabled;" ;;
    sqlite:*) echo "Data Source=$work/$1.db" ;;
  esac
}
provider=$([[ "$database" == mysql ]] && echo MySql || echo Sqlite)
if [[ "$database" == mysql ]]; then
  echo "==> mariadbd"
  # Note: a buffer pool that holds a million users, as a production server would have; the durable defaults
  # (a log flush at every commit) stay.
  mysql_port=$(start_mariadb --innodb-buffer-pool-size=1G --max-connections=500)
  mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$mysql_port" -u root \
    -e "CREATE DATABASE identityhost_es256 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
fi
mysql_status() {
  mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$mysql_port" -u root -N -B \
    -e "SHOW GLOBAL STATUS LIKE 'Questions'" | cut -f2
}

# Starts the identity server; records its start-to-ready time in milliseconds as <name>_ready_ms and sets
# server_url and server_pid.
start_server() {
  local name=$1 algorithm=$2 connection=$3 port
  port=$(free_port)
  server_url="http://127.0.0.1:$port"
  local started
  started=$(date +%s%N)
  env ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_URLS="$server_url" \
    Database__Provider="$provider" \
    ConnectionStrings__IdentityHost="$connection" \
    OpenIddict__RequireHttps=false \
    OpenIddict__Issuer="${BENCH_ISSUER:-$server_url/}" \
    Email__PickupDirectory="$work/mail-$name" \
    Email__From=bench@localhost \
    OpenIddict__Keys__SigningAlgorithm="$algorithm" \
    RateLimiting__CredentialsPerMinute=1000000000 \
    RateLimiting__TokenRequestsPerMinute=1000000000 \
    RateLimiting__RegistrationsPerMinute=1000000000 \
    OpenIddict__Clients__0__ClientId=bench-password \
    OpenIddict__Clients__0__GrantTypes__0=password \
    OpenIddict__Clients__0__GrantTypes__1=refresh_token \
    OpenIddict__Clients__0__Scopes__0=openid \
    OpenIddict__Clients__0__Scopes__1=offline_access \
    OpenIddict__Clients__0__Scopes__2=api \
    OpenIddict__Clients__1__ClientId=bench-service \
    OpenIddict__Clients__1__ClientSecret="$service_secret" \
    OpenIddict__Clients__1__GrantTypes__0=client_credentials \
    OpenIddict__Clients__1__Scopes__0=api \
    dotnet "$server_dll" --contentRoot "$published/IdentityServer" >>"$work/server-$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  export server_url
  # Note: two marks, the first 200 from discovery (the figure compared with the peer, which has no health check)
  # and the first 200 from /health/ready, which also needs the database.
  local discovered=""
  for _ in $(seq 1 3000); do
    if [[ -z "$discovered" ]] && curl -fs "$server_url/.well-known/openid-configuration" >/dev/null 2>&1; then
      discovered=$((($(date +%s%N) - started) / 1000000))
      record "${name}_discovery_ms" "$discovered"
    fi
    if [[ -n "$discovered" ]] && curl -fs "$server_url/health/ready" >/dev/null 2>&1; then
      record "${name}_ready_ms" $((($(date +%s%N) - started) / 1000000))
      record "${name}_ready_rss_mb" $(($(awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status") / 1024))
      return 0
    fi
    sleep 0.02
  done
  echo "FAIL: the identity server did not become ready" >&2
  tail -n 40 "$work/server-$name.log" >&2
  return 1
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

peak_rss_mb() { echo $(($(awk '/VmHWM/ { print $2 }' "/proc/$1/status") / 1024)); }

# Runs wrk: run_wrk <figure name> <script> <url> <threads> <connections> [<requests per second>].
run_wrk() {
  local name=$1 script=$2 url=$3 threads=$4 connections=$5 rate=${6:-} duration=${7:-$seconds} before=""
  [[ "$database" == mysql && -n "$name" ]] && before=$(mysql_status)
  local output
  output=$(BENCH_THREADS=$threads BENCH_RATE=$rate BENCH_FAILURES="$work/wrk-failures-${name:-warmup}-$script.log" wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 10s \
    -s "bench/wrk/$script.lua" "$url")
  [[ -z "$name" ]] && return 0
  record_output "$name" <<<"$output"
  if [[ -n "$before" ]]; then
    local requests
    requests=$(sed -n 's/^requests=//p' <<<"$output")
    record "${name}_queries" "$(python3 -c "print(f'{($(mysql_status) - $before - 1) / max($requests, 1):.1f}')")"
  fi
  local failed
  failed=$(sed -n 's/^non2xx=//p' <<<"$output")
  if ((failed > 0)); then echo "    WARNING: $name: $failed answers were not 2xx" >&2; fi
  printf '    %-34s %10s req/s   p50 %s ms  p99 %s ms\n' "$name" "$(sed -n 's/^rps=//p' <<<"$output")" \
    "$(sed -n 's/^p50_ms=//p' <<<"$output")" "$(sed -n 's/^p99_ms=//p' <<<"$output")"
}

# Measures a scenario at full load (after a warm-up), then at 70% of that rate for latency:
# measure <name> <script> <url> <threads> <connections> [<pacing threads>].
measure() {
  local name=$1 script=$2 url=$3 threads=$4 connections=$5 paced_threads=${6:-$4}
  [[ "$script" == refresh ]] && refresh_pool "$connections"
  run_wrk "" "$script" "$url" "$threads" "$connections" "" 5
  [[ "$script" == refresh ]] && refresh_pool "$connections"
  run_wrk "$name" "$script" "$url" "$threads" "$connections"
  local rate
  rate=$(python3 -c "print(int($(figure "${name}_rps") * 0.7))")
  [[ "$script" == refresh ]] && refresh_pool "$connections"
  run_wrk "${name}_at70" "$script" "$url" "$paced_threads" "$connections" "$rate"
  # Note: the watched server's high-water mark so far, to tell which scenario set the peak.
  [[ -n "${watch_pid:-}" ]] && record "${name}_peak_rss_mb" "$(peak_rss_mb "$watch_pid")"
  return 0
}

login() {
  curl -fsS "$server_url/connect/token" -d grant_type=password -d client_id=bench-password \
    --data-urlencode "username=$1" --data-urlencode "password=$password" -d "scope=openid offline_access api"
}

# A fresh pool of first refresh tokens, one per connection (each run redeems the chains it starts from).
refresh_pool() {
  export BENCH_REFRESH_TOKENS=$work/refresh-tokens.txt
  : >"$BENCH_REFRESH_TOKENS"
  # Note: a login that failed would leave a connection without a chain; such gaps are filled again.
  for _ in 1 2 3; do
    local missing=$(($1 - $(wc -l <"$BENCH_REFRESH_TOKENS")))
    ((missing > 0)) || return 0
    shuf -i "1-$BENCH_USERS" -n "$missing" | xargs -I{} printf 'bench%07d\n' {} \
      | xargs -P "$(nproc)" -I{} bash -c 'login "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"refresh_token\"])"' _ {} \
      >>"$BENCH_REFRESH_TOKENS" 2>/dev/null || true
  done
  echo "    WARNING: only $(wc -l <"$BENCH_REFRESH_TOKENS") of $1 logins for the refresh pool succeeded" >&2
}
export -f login
export password

echo "==> start-up (SQLite: first start creates the database; the second is a plain restart)"
saved_database=$database saved_provider=$provider
database=sqlite provider=Sqlite
start_server sqlite_first RS256 "$(connection_for startup)"; stop "$server_pid"
start_server sqlite RS256 "$(connection_for startup)"; stop "$server_pid"
database=$saved_database provider=$saved_provider

if [[ "$peers_only" == 0 ]]; then
  echo "==> identity server ($database, RS256)"
  start_server "${database}_first" RS256 "$(connection_for identityhost)"; stop "$server_pid"
  start_server "$database" RS256 "$(connection_for identityhost)"
  main_pid=$server_pid
  watch_pid=$main_pid
  dotnet "$bench_dll" seed "$root/src/IdentityServer" "$provider" "$(connection_for identityhost)" 0 "$small_users" "$password" \
    | record_output seed_small
  export BENCH_USERS=$small_users BENCH_PASSWORD=$password BENCH_PASSWORD_CLIENT=bench-password BENCH_RUN=$RANDOM
  export BENCH_AUTHORIZATION=$basic_authorization

  echo "==> load: identity server, $small_users users"
  measure password password "$server_url" 2 8
  against_hash_limit password password
  measure register register "$server_url" 2 8
  against_hash_limit register register
  measure client_credentials client_credentials "$server_url" 2 32
  measure refresh refresh "$server_url" 2 32

  echo "==> load: resource API"
  resource_api() {
    local name=$1 port
    port=$(free_port)
    api_url="http://127.0.0.1:$port"
    env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$api_url" \
      ResourceApi__Authority="$server_url/" ResourceApi__RequireHttpsMetadata=false \
      dotnet "$api_dll" --contentRoot "$published/SampleResourceApi" >>"$work/api-$name.log" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    local saved_watch=${watch_pid:-}
    watch_pid=$api_pid
    wait_for "$api_url/api/public"
    local token
    token=$(login bench0000001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -fs -H "Authorization: Bearer $token" "$api_url/api/protected" >/dev/null \
      || { echo "FAIL: the resource API refused the server's token" >&2; return 1; }
    BENCH_AUTHORIZATION="" measure "${name}_public" get "$api_url/api/public" 1 32
    BENCH_AUTHORIZATION="Bearer $token" measure "${name}_protected" get "$api_url/api/protected" 1 32
    record "${name}_api_peak_rss_mb" "$(peak_rss_mb "$api_pid")"
    watch_pid=$saved_watch
    stop "$api_pid"
  }
  resource_api rs256

  echo "==> scale: $small_users against $large_users users (a second server on its own database; the two measured in turn)"
  record server_peak_rss_mb "$(peak_rss_mb "$main_pid")"
  small_url=$server_url
  [[ "$database" == mysql ]] && mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$mysql_port" -u root \
    -e "CREATE DATABASE identityhost_large CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  start_server large RS256 "$(connection_for identityhost_large)"
  large_pid=$server_pid
  large_url=$server_url
  dotnet "$bench_dll" seed "$root/src/IdentityServer" "$provider" "$(connection_for identityhost_large)" 0 "$large_users" "$password" \
    | record_output seed_large
  # Note: the new server warms up first; then each figure is the mean of two runs, small and large alternating, so
  # that a drift in the machine's speed during the run weighs on both alike.
  at() { server_url=$1 BENCH_USERS=$2; export server_url BENCH_USERS; }
  at "$large_url" "$large_users"
  run_wrk "" password "$large_url" 2 8 "" 5
  refresh_pool 32; run_wrk "" refresh "$large_url" 2 32 "" 5
  for round in 1 2; do
    for size in small large; do
      if [[ "$size" == small ]]; then at "$small_url" "$small_users"; else at "$large_url" "$large_users"; fi
      run_wrk "scale_password_${size}_$round" password "$server_url" 2 8
      refresh_pool 32
      run_wrk "scale_refresh_${size}_$round" refresh "$server_url" 2 32
    done
  done
  watch_pid=$large_pid
  measure password_large password "$large_url" 2 8
  measure refresh_large refresh "$large_url" 2 32
  record large_peak_rss_mb "$(peak_rss_mb "$large_pid")"
  stop "$large_pid"
  stop "$main_pid"

  echo "==> identity server ($database, ES256) and resource API"
  start_server es256 ES256 "$(connection_for identityhost_es256)"
  es256_pid=$server_pid
  watch_pid=$es256_pid
  dotnet "$bench_dll" seed "$root/src/IdentityServer" "$provider" "$(connection_for identityhost_es256)" 0 1 "$password" >/dev/null
  measure client_credentials_es256 client_credentials "$server_url" 2 32
  resource_api es256
  stop "$es256_pid"
fi

if [[ "$peers" == 1 ]]; then
  peer_version=$(node -p "require('$peer_dir/node_modules/oidc-provider/package.json').version")
  echo "==> peer: oidc-provider $peer_version (Node.js $(node --version), in-memory adapter) beside IdentityHost ($database)"
  record peer_version "$peer_version"
  record peer_node "$(node --version)"
  record peer_rounds "$peer_rounds"
  if [[ "$peers_only" == 1 ]]; then
    start_server "${database}_first" RS256 "$(connection_for identityhost)"
    dotnet "$bench_dll" seed "$root/src/IdentityServer" "$provider" "$(connection_for identityhost)" 0 "$small_users" "$password" \
      | record_output seed_small
    stop "$server_pid"
  fi
  # Note: the peer's password grant hashes as IdentityHost's settings say (read by the same tool as the raw limit).
  dotnet "$bench_dll" hash "$root/src/IdentityServer" 2 | record_output peer_hash
  export BENCH_USERS=$small_users BENCH_PASSWORD=$password BENCH_PASSWORD_CLIENT=bench-password BENCH_RUN=$RANDOM
  export BENCH_AUTHORIZATION=$basic_authorization

  # IdentityHost restarted on its 1,000-user database (an existing database), so that its start and its memory
  # high-water mark are those of this comparison alone.
  start_server peer_ih RS256 "$(connection_for identityhost)"
  ih_pid=$server_pid ih_url=$server_url

  # Starts the peer; records <name>_discovery_ms (launch to the first 200 from discovery) and sets node_pid, node_url.
  start_peer() {
    local name=$1 port started
    port=$(free_port)
    node_url="http://127.0.0.1:$port"
    started=$(date +%s%N)
    (cd "$peer_dir" && exec env NODE_ENV=production PEER_PORT="$port" PEER_JWKS="$work/peer-jwks.json" \
      PEER_USERS="$small_users" PEER_PASSWORD="$password" PEER_SERVICE_SECRET="$service_secret" \
      PEER_HASH_ITERATIONS="$(figure peer_hash_hash_iterations)" node server.js >>"$work/peer-$name.log" 2>&1) &
    node_pid=$!
    pids+=("$node_pid")
    for _ in $(seq 1 3000); do
      if curl -fs "$node_url/.well-known/openid-configuration" >/dev/null 2>&1; then
        record "${name}_discovery_ms" $((($(date +%s%N) - started) / 1000000))
        record "${name}_ready_rss_mb" $(($(awk '/VmRSS/ { print $2 }' "/proc/$node_pid/status") / 1024))
        return 0
      fi
      sleep 0.02
    done
    echo "FAIL: oidc-provider did not start" >&2
    tail -n 40 "$work/peer-$name.log" >&2
    return 1
  }
  # Note: the first start makes the peer's signing key; the measured one loads it, as IdentityHost loads its own.
  start_peer peer_node_first; stop "$node_pid"
  start_peer peer_node
  token=$(curl -fsS "$node_url/connect/token" -d grant_type=password -d client_id=bench-password \
    --data-urlencode "username=bench0000001" --data-urlencode "password=$password" -d "scope=openid offline_access api" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  python3 -c 'import base64,json,sys; h=sys.argv[1].split(".")[0]; sys.exit(json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))["alg"] != "RS256")' "$token" \
    || { echo "FAIL: the peer's access token is not an RS256 JWT" >&2; exit 1; }

  side() { if [[ "$1" == ih ]]; then server_url=$ih_url; else server_url=$node_url; fi; export server_url; }
  # One scenario on both servers: a warm-up of each, then rounds in turn (IdentityHost, peer, IdentityHost, peer,
  # ...), then the latency of both at one offered rate, 70% of the slower side's throughput.
  compare() {
    local name=$1 script=$2 connections=$3 round which
    echo "    $name: $peer_rounds rounds of each, in turn"
    for which in ih node; do
      side "$which"
      [[ "$script" == refresh ]] && refresh_pool "$connections"
      run_wrk "" "$script" "$server_url" 2 "$connections" "" 5
    done
    for round in $(seq 1 "$peer_rounds"); do
      for which in ih node; do
        side "$which"
        [[ "$script" == refresh ]] && refresh_pool "$connections"
        run_wrk "peer_${name}_${which}_$round" "$script" "$server_url" 2 "$connections"
      done
    done
    local rate
    rate=$(python3 - "$figures" "$name" "$peer_rounds" <<'PY'
import sys
figures = dict(line.rstrip("\n").split("=", 1) for line in open(sys.argv[1]) if "=" in line)
name, rounds = sys.argv[2], int(sys.argv[3])
means = [sum(float(figures[f"peer_{name}_{side}_{r}_rps"]) for r in range(1, rounds + 1)) / rounds for side in ("ih", "node")]
print(max(1, int(min(means) * 0.7)))
PY
)
    record "peer_${name}_offered" "$rate"
    for which in ih node; do
      side "$which"
      [[ "$script" == refresh ]] && refresh_pool "$connections"
      run_wrk "peer_${name}_${which}_at70" "$script" "$server_url" 2 "$connections" "$rate"
    done
  }
  compare client_credentials client_credentials 32
  compare refresh refresh 32
  compare password password 8
  record peer_ih_peak_rss_mb "$(peak_rss_mb "$ih_pid")"
  record peer_node_peak_rss_mb "$(peak_rss_mb "$node_pid")"
  stop "$node_pid"
  stop "$ih_pid"
  python3 bench/chart.py "$figures" "$results/bench-peers.svg"
fi

if [[ "$cluster" == 1 ]]; then
  # shellcheck source=lib/bench-cluster.sh
  source scripts/lib/bench-cluster.sh
  bench_cluster
fi

python3 bench/report.py "$figures" >"$results/results.md"
cat "$results/results.md"
if [[ "$update_docs" == 1 ]]; then
  python3 bench/report.py "$figures" --update docs/benchmarks.md
  [[ "$peers" == 1 ]] && cp "$results/bench-peers.svg" docs/bench-peers.svg
  echo "docs/benchmarks.md updated"
fi
