using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class SqliteTokenLifecycleTests(SqliteServerFixture fixture)
    : TokenLifecycleTests(fixture), IClassFixture<SqliteServerFixture>;
