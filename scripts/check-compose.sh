#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: it must parse with secrets provided, and refuse
# to render when a required secret is missing (no default password ships).
set -euo pipefail
cd "$(dirname "$0")/.."
compose=(docker-compose -f docker-compose.yml --project-directory .)

MYSQL_PASSWORD=check MYSQL_ROOT_PASSWORD=check "${compose[@]}" config -q

for missing in MYSQL_PASSWORD MYSQL_ROOT_PASSWORD; do
  if env -u "$missing" MYSQL_PASSWORD=check MYSQL_ROOT_PASSWORD=check bash -c "unset $missing; ${compose[*]} config -q" 2>/dev/null; then
    echo "FAIL: docker-compose.yml renders without $missing" >&2
    exit 1
  fi
done

services=$(MYSQL_PASSWORD=check MYSQL_ROOT_PASSWORD=check "${compose[@]}" config --services | sort | tr '\n' ' ')
if [[ "$services" != "identityserver mysql resourceapi " ]]; then
  echo "FAIL: unexpected services: $services" >&2
  exit 1
fi

echo "compose: docker-compose.yml is valid (services: $services); missing secrets are refused"
