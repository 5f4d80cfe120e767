using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Keys;

public sealed class MySqlManagedKeyTests(MySqlServerFixture fixture)
    : ManagedKeyTests(fixture), IClassFixture<MySqlServerFixture>;
