using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class SqliteEnumerationTimingTests(SqliteServerFixture fixture)
    : EnumerationTimingTests(fixture), IClassFixture<SqliteServerFixture>;
