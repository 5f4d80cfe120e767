using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

public sealed class SqliteHealthTests(SqliteServerFixture fixture)
    : HealthTests(fixture), IClassFixture<SqliteServerFixture>;
