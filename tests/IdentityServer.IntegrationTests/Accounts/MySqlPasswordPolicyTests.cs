using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class MySqlPasswordPolicyTests(MySqlServerFixture fixture)
    : PasswordPolicyTests(fixture), IClassFixture<MySqlServerFixture>;
