using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class MySqlRegistrationTests(MySqlServerFixture fixture)
    : RegistrationTests(fixture), IClassFixture<MySqlServerFixture>;
