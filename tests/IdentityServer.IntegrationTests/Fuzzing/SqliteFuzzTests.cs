using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Fuzzing;

public sealed class SqliteFuzzTests(SqliteServerFixture fixture) : FuzzTests(fixture), IClassFixture<SqliteServerFixture>;
