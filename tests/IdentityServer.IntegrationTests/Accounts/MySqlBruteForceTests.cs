using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class MySqlBruteForceTests(MySqlServerFixture fixture)
    : BruteForceTests(fixture), IClassFixture<MySqlServerFixture>;
