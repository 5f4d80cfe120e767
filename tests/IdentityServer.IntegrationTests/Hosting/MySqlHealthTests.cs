using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

public sealed class MySqlHealthTests(MySqlServerFixture fixture, MariaDbServer mariaDb)
    : HealthTests(fixture), IClassFixture<MySqlServerFixture>
{
    [Fact]
    public async Task ReadinessReportsUnhealthyOnceTheDatabaseIsGone()
    {
        var connectionString = await mariaDb.CreateDatabaseAsync("identityhost_health");
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IdentityHost"] = connectionString,
        });
        using var client = host.CreateClient();
        using var before = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        await mariaDb.DropDatabaseAsync(connectionString);
        using var after = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        Assert.Equal("Unhealthy", await after.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
