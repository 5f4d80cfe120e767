using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Keys;

public sealed class SqliteManagedKeyTests(SqliteServerFixture fixture)
    : ManagedKeyTests(fixture), IClassFixture<SqliteServerFixture>;
