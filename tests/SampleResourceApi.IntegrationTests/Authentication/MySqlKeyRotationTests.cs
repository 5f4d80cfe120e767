using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

public sealed class MySqlKeyRotationTests(MySqlServerFixture identity)
    : KeyRotationTests(identity), IClassFixture<MySqlServerFixture>;
