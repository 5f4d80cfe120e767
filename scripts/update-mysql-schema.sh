#!/usr/bin/env bash
# Rewrites scripts/mysql-schema.sql from the MySQL migrations. Run it after adding a migration.
# Note: `dotnet ef migrations script --idempotent` is not used: Oracle's MySQL provider emits T-SQL style
# IF blocks that MySQL rejects. The generator lives beside the test that keeps the script honest.
set -euo pipefail
cd "$(dirname "$0")/.."
IDENTITYHOST_UPDATE_SCHEMA=1 dotnet test tests/IdentityServer.IntegrationTests \
  --filter 'FullyQualifiedName~MySqlSchemaScriptTests.SchemaScriptMatchesMigrations'
echo "scripts/mysql-schema.sql updated"
