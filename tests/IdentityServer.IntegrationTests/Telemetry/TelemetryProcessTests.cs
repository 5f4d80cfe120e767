using System.Net;
using System.Text.Json;
using IdentityHost.IdentityServer.IntegrationTests.Hosting;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Telemetry;

/// <summary>The built server as a process: the scrape port apart from the public one, and the console log as JSON.</summary>
public sealed class TelemetryProcessTests
{
    [Fact]
    public async Task MetricsAnswerOnlyOnTheirOwnPort()
    {
        var metricsPort = FreePorts.Next();
        await using var server = await IdentityServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Telemetry:Prometheus:Enabled"] = "true",
            ["Telemetry:Prometheus:Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, metricsPort);
        using var client = new HttpClient();

        using var publicPort = await client.GetAsync(new Uri(server.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
        using var scrapePort = await client.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, publicPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scrapePort.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await scrapePort.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleLogIsCompactJsonGivenLoggingFormatJson()
    {
        await using var server = await IdentityServerProcess.StartAsync(new Dictionary<string, string> { ["Logging:Format"] = "json" });
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var (_, password) = await IdentityServerFixture.CreateUserAsync(client);
        await server.WaitForLinesAsync("user.registered", 1, TimeSpan.FromSeconds(10));

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, log => Assert.True(log.TryGetProperty("@t", out _) && log.TryGetProperty("@mt", out _), log.ToString()));
        var audit = Assert.Single(events, log => log.TryGetProperty("AuditEvent", out var type) && type.GetString() == "user.registered");
        Assert.Equal("IdentityHost.Audit", audit.GetProperty("SourceContext").GetString());
        Assert.DoesNotContain(password, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupFailsGivenAnUnknownLoggingFormatNamingTheKey()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            IdentityServerProcess.StartAsync(new Dictionary<string, string> { ["Logging:Format"] = "yaml" }));

        Assert.StartsWith("The server exited with 1:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Logging:Format must be 'text' or 'json' (it is 'yaml')", failure.Message, StringComparison.Ordinal);
    }
}
