using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class SqliteSeedLoginTests(SqliteServerFixture fixture)
    : SeedLoginTests(fixture), IClassFixture<SqliteServerFixture>;
