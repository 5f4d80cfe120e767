using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class SqliteRoleManagementTests(SqliteServerFixture fixture)
    : RoleManagementTests(fixture), IClassFixture<SqliteServerFixture>;
