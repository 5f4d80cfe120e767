namespace IdentityHost.SampleResourceApi.IntegrationTests.Greetings;

public sealed class MySqlGreetingsApiTests(MySqlResourceApiFixture fixture)
    : GreetingsApiTests(fixture), IClassFixture<MySqlResourceApiFixture>;
