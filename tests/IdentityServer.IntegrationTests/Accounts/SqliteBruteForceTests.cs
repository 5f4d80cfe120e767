using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class SqliteBruteForceTests(SqliteServerFixture fixture)
    : BruteForceTests(fixture), IClassFixture<SqliteServerFixture>;
