using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

public sealed class MySqlTokenLifecycleTests(MySqlServerFixture fixture)
    : TokenLifecycleTests(fixture), IClassFixture<MySqlServerFixture>;
