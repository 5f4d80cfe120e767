using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class MySqlRoleManagementTests(MySqlServerFixture fixture)
    : RoleManagementTests(fixture), IClassFixture<MySqlServerFixture>;
