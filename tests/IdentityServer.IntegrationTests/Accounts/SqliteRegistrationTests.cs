using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class SqliteRegistrationTests(SqliteServerFixture fixture)
    : RegistrationTests(fixture), IClassFixture<SqliteServerFixture>;
