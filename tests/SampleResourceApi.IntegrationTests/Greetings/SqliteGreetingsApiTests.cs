namespace IdentityHost.SampleResourceApi.IntegrationTests.Greetings;

public sealed class SqliteGreetingsApiTests(SqliteResourceApiFixture fixture)
    : GreetingsApiTests(fixture), IClassFixture<SqliteResourceApiFixture>;
