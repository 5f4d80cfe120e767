#!/usr/bin/env bash
# Runs the Postman collection with newman against freshly started servers: the identity server on a
# temporary SQLite file with a random bootstrap administrator and random secrets for two confidential clients
# (`service`: client_credentials; `resource_api`: introspection), its mail written to a temporary pickup directory, and
# the resource API trusting it.
#   IDENTITYHOST_SKIP_BUILD=1        use the existing build instead of building first
#   IDENTITYHOST_CONFIGURATION=...   Debug or Release (default Release)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/local-servers.sh
source scripts/lib/local-servers.sh
root=$PWD
configuration=${IDENTITYHOST_CONFIGURATION:-Release}

if [[ "${IDENTITYHOST_SKIP_BUILD:-0}" != 1 ]]; then
  dotnet build IdentityHost.sln -c "$configuration" -nologo -clp:ErrorsOnly
fi
if [[ ! -d postman/node_modules/newman ]]; then
  npm ci --prefix postman --no-audit --no-fund --loglevel=error
fi

work=$(mktemp -d -t identityhost-newman-XXXXXX)
identity_port=$(free_port)
api_port=$(free_port)
while [[ "$api_port" == "$identity_port" ]]; do api_port=$(free_port); done
identity_url="http://localhost:$identity_port"
api_url="http://localhost:$api_port"
admin_user="admin-$RANDOM$RANDOM"
# Note: the collection signs the administrator in with the password grant alone, so administrators are not required to
# have a second factor here (Accounts:Mfa:RequiredForRoles, default ["admin"]; the integration tests cover it).
# Note: a fresh random admin password per run; it is passed to the processes, never printed.
admin_password=$(openssl rand -base64 24)
service_secret=$(openssl rand -hex 24)
resource_secret=$(openssl rand -hex 24)

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ASPNETCORE_ENVIRONMENT=Development \
ASPNETCORE_URLS="$identity_url" \
ConnectionStrings__IdentityHost="Data Source=$work/identityhost.db" \
Bootstrap__Admin__Username="$admin_user" \
Bootstrap__Admin__Password="$admin_password" \
Accounts__Mfa__RequiredForRoles="" \
OpenIddict__Clients__5__ClientId=service \
OpenIddict__Clients__5__ClientSecret="$service_secret" \
OpenIddict__Clients__5__GrantTypes__0=client_credentials \
OpenIddict__Clients__5__Scopes__0=api \
OpenIddict__Clients__6__ClientId=resource_api \
OpenIddict__Clients__6__ClientSecret="$resource_secret" \
OpenIddict__Clients__6__GrantTypes__0=urn:ietf:params:oauth:grant-type:token-exchange \
OpenIddict__Clients__6__Scopes__0=api \
OpenIddict__Clients__6__TokenExchangeAudiences__0=orders_api \
OpenIddict__Apis__0__Uri="$api_url/" \
OpenIddict__Apis__1__Name=orders_api \
OpenIddict__Apis__1__Uri=https://orders.example/ \
Email__PickupDirectory="$work/mail" \
  dotnet "src/IdentityServer/bin/$configuration/net10.0/IdentityServer.dll" --contentRoot "$root/src/IdentityServer" \
  >"$work/identityserver.log" 2>&1 &
pids+=($!)

ASPNETCORE_ENVIRONMENT=Development \
ASPNETCORE_URLS="$api_url" \
ResourceApi__Authority="$identity_url/" \
  dotnet "src/SampleResourceApi/bin/$configuration/net10.0/SampleResourceApi.dll" --contentRoot "$root/src/SampleResourceApi" \
  >"$work/resourceapi.log" 2>&1 &
pids+=($!)

wait_for "$identity_url/health/ready"
wait_for "$api_url/health/live"

mkdir -p artifacts/newman
status=0
postman/node_modules/.bin/newman run postman/IdentityHost.postman_collection.json \
  --environment postman/IdentityHost.postman_environment.json \
  --env-var "runner=newman" \
  --env-var "identityUrl=$identity_url" \
  --env-var "apiUrl=$api_url" \
  --env-var "adminUsername=$admin_user" \
  --env-var "adminPassword=$admin_password" \
  --env-var "serviceClientSecret=$service_secret" \
  --env-var "resourceClientSecret=$resource_secret" \
  --reporters cli,junit --reporter-junit-export artifacts/newman/results.xml \
  --color off || status=$?

if ((status != 0)); then
  echo "newman failed; server logs:" >&2
  tail -n 40 "$work"/*.log >&2
fi
exit "$status"
