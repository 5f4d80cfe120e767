using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

public sealed class MySqlEnumerationTimingTests(MySqlServerFixture fixture)
    : EnumerationTimingTests(fixture), IClassFixture<MySqlServerFixture>;
