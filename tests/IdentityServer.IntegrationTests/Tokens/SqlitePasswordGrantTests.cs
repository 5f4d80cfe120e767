using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class SqlitePasswordGrantTests(SqliteServerFixture fixture)
    : PasswordGrantTests(fixture), IClassFixture<SqliteServerFixture>;
