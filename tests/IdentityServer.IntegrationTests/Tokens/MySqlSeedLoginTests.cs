using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class MySqlSeedLoginTests(MySqlServerFixture fixture)
    : SeedLoginTests(fixture), IClassFixture<MySqlServerFixture>;
