using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class MySqlPasswordGrantTests(MySqlServerFixture fixture)
    : PasswordGrantTests(fixture), IClassFixture<MySqlServerFixture>;
