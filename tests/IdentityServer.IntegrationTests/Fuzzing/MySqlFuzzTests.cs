using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Fuzzing;

public sealed class MySqlFuzzTests(MySqlServerFixture fixture) : FuzzTests(fixture), IClassFixture<MySqlServerFixture>;
