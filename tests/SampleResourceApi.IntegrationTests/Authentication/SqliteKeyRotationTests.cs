using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

public sealed class SqliteKeyRotationTests(SqliteServerFixture identity)
    : KeyRotationTests(identity), IClassFixture<SqliteServerFixture>;
