using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class SqlitePasswordPolicyTests(SqliteServerFixture fixture)
    : PasswordPolicyTests(fixture), IClassFixture<SqliteServerFixture>;
