using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>The liveness and readiness probes.</summary>
public abstract class HealthTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task ProbeReportsHealthy(string path)
    {
        using var response = await Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadinessQueryLeavesNoWarningInTheLog()
    {
        using var response = await Client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Fixture.Host.Logs.Lines, line => line.Contains("without 'OrderBy'", StringComparison.Ordinal));
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteHealthTests(SqliteServerFixture fixture)
    : HealthTests(fixture), IClassFixture<SqliteServerFixture>;
