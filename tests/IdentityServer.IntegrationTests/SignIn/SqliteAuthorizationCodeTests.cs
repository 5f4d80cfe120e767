using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.SignIn;

public sealed class SqliteAuthorizationCodeTests(SqliteServerFixture fixture)
    : AuthorizationCodeTests(fixture), IClassFixture<SqliteServerFixture>;
