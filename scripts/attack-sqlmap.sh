#!/usr/bin/env bash
# Attacks a locally started IdentityHost with sqlmap (Debian package sqlmap) at every parameter of registration,
# the seed login, the token endpoint and the administrators' user search (with an admin token), and fails if sqlmap
# reports an injectable parameter.
#
#   scripts/attack-sqlmap.sh            SQLite, then MySQL (a private mariadbd, when mariadb-server is installed)
#   IDENTITYHOST_SQLMAP_DATABASES="sqlite"   one database only ("sqlite", "mysql" or both)
#   IDENTITYHOST_SKIP_BUILD=1           use the existing Release build
#   IDENTITYHOST_REQUIRE_ALL=1          (CI) a missing mariadbd is a failure, not a skip
#
# The scan is not vacuous: for each target the script checks that sqlmap said every parameter it tested is not
# injectable, and that the server answered at least 100 of sqlmap's requests to that endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/local-servers.sh
source scripts/lib/local-servers.sh
root=$PWD
configuration=Release
databases=${IDENTITYHOST_SQLMAP_DATABASES:-sqlite mysql}

if ! command -v sqlmap >/dev/null 2>&1; then
  echo "FAIL: sqlmap is not installed (apt-get install sqlmap)" >&2
  exit 1
fi
if [[ "${IDENTITYHOST_SKIP_BUILD:-0}" != 1 ]]; then
  dotnet build IdentityHost.sln -c "$configuration" -nologo -clp:ErrorsOnly
fi

work=$(mktemp -d -t identityhost-sqlmap-XXXXXX)
admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_pid_files
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


# Runs sqlmap against one endpoint; fails on an injectable parameter or on a scan that tested nothing:
# scan <name> <url> <form or JSON body, or "" for a GET of the URL's query> <dbms> [<header>].
scan() {
  local name=$1 url=$2 data=$3 dbms=$4 log=$work/sqlmap-$1-$4.log path method=POST
  [[ -z "$data" ]] && method=GET
  path=${url#http://*/}
  path=${path%%\?*}
  local before
  before=$(grep -c "HTTP $method /$path responded" "$work/identityserver.log" || true)
  echo "--> sqlmap: $name ($dbms)"
  # Note: level 2 adds cookie and more boundary tests, risk 1 keeps the payloads read-only; the server answers 400
  # or 401 to nearly everything, so --ignore-code lets sqlmap compare those answers instead of giving up on them.
  sqlmap --batch --flush-session --disable-coloring --output-dir="$work/sqlmap" \
    -u "$url" --method "$method" ${data:+--data "$data"} --dbms="$dbms" --level 2 --risk 1 --technique BEUST --time-sec 2 \
    --ignore-code 400,401,409,415 --threads 2 \
    ${5:+-H "$5"} >"$log" 2>&1 || true
  local requests=$(( $(grep -c "HTTP $method /$path responded" "$work/identityserver.log" || true) - before ))
  if grep -q "identified the following injection point" "$log"; then
    echo "FAIL: sqlmap found an injectable parameter in $name ($dbms):" >&2
    sed -n '/identified the following injection point/,/^---$/p' "$log" >&2
    return 1
  fi
  if ! grep -Eq "all tested parameters do not appear to be injectable|do not appear to be injectable" "$log"; then
    echo "FAIL: sqlmap did not finish testing $name ($dbms):" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  if ((requests < 100)); then
    echo "FAIL: the server saw only $requests sqlmap requests to /$path; the scan proves nothing" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  local tested
  tested=$(grep -Eo "parameter '[^']+' (does not seem to be|might not be) injectable|(POST|JSON) parameter '[^']+' does not seem to be injectable" "$log" | sort -u | wc -l)
  echo "    $requests requests answered, $tested parameter verdicts, no injection point"
}

attack() {
  local database=$1 connection provider dbms
  case "$database" in
    sqlite)
      provider=Sqlite dbms=SQLite connection="Data Source=$work/identityhost.db" ;;
    mysql)
      if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
        if [[ "${IDENTITYHOST_REQUIRE_ALL:-0}" == 1 ]]; then echo "FAIL: mariadbd is required" >&2; return 1; fi
        echo "WARNING: skipping MySQL: mariadb-server is not installed" >&2
        return 0
      fi
      export PATH=$PATH:/usr/sbin
      local port
      port=$(start_mariadb)
      provider=MySql dbms=MySQL connection="Server=127.0.0.1;Port=$port;Database=identityhost;User ID=root;Password=;SslMode=Disabled;" ;;
    *) echo "unknown database $database" >&2; return 1 ;;
  esac

  local port url
  port=$(free_port)
  url="http://127.0.0.1:$port"
  # Note: the rate limits would answer sqlmap with 429s and make the scan vacuous, so they are raised here.
  # Note: the scan's administrator signs in by the password grant alone, so no role needs a second factor here
  # (Accounts:Mfa:RequiredForRoles, default ["admin"]; the integration tests cover it).
  ASPNETCORE_ENVIRONMENT=Development \
  ASPNETCORE_URLS="$url" \
  Database__Provider="$provider" \
  ConnectionStrings__IdentityHost="$connection" \
  RateLimiting__CredentialsPerMinute=1000000 \
  RateLimiting__TokenRequestsPerMinute=1000000 \
  RateLimiting__RegistrationsPerMinute=1000000 \
  Bootstrap__Admin__Username=sqlmapadmin \
  Bootstrap__Admin__Password="$admin_password" \
  Accounts__Mfa__RequiredForRoles="" \
    dotnet "src/IdentityServer/bin/$configuration/net10.0/IdentityServer.dll" --contentRoot "$root/src/IdentityServer" \
    >"$work/identityserver.log" 2>&1 &
  local server=$!
  pids+=($server)
  wait_for "$url/health/ready"

  scan register "$url/api/auth/register" '{"username":"sqlmapuser","password":"a long enough pass phrase"}' "$dbms" \
    "Content-Type: application/json"
  scan login "$url/api/auth/login" '{"username":"sqlmapuser","password":"a long enough pass phrase"}' "$dbms" \
    "Content-Type: application/json"
  scan token "$url/connect/token" \
    'grant_type=password&client_id=postman&username=sqlmapuser&password=a+long+enough+pass+phrase&scope=openid' "$dbms"
  # Note: the search builds a LIKE pattern (or a range) from its text, so it is attacked too, with an admin's token.
  local admin_token
  admin_token=$(curl -fsS "$url/connect/token" -d grant_type=password -d client_id=postman -d username=sqlmapadmin \
    --data-urlencode "password=$admin_password" -d 'scope=openid api admin' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  scan user-search "$url/api/users?search=sqlmap&pageSize=5&cursor=" "" "$dbms" "Authorization: Bearer $admin_token"

  if grep -Eq "HTTP (GET|POST) [^ ]+ responded 5[0-9][0-9]" "$work/identityserver.log"; then
    echo "FAIL: the server answered sqlmap with a 5xx:" >&2
    grep -E "responded 5[0-9][0-9]" "$work/identityserver.log" | head -n 5 >&2
    return 1
  fi
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

started=$SECONDS
for database in $databases; do
  attack "$database"
done
echo "sqlmap found no injectable parameter ($databases) in $((SECONDS - started)) s"
