using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.SignIn;

public sealed class MySqlAuthorizationCodeTests(MySqlServerFixture fixture)
    : AuthorizationCodeTests(fixture), IClassFixture<MySqlServerFixture>;
