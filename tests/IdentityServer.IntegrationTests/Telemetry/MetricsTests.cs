using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint: off unless enabled, and, once enabled, IdentityHost's counters move by exactly what a
/// scenario did, beside ASP.NET Core's, Identity's and the runtime's own meters.
/// </summary>
public abstract partial class MetricsTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly KeyValuePair<string, string?>[] Enabled = [new("Telemetry:Prometheus:Enabled", "true")];

    [Fact]
    public async Task MetricsAreNotServedByDefault()
    {
        using var response = await Client.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CountersMoveByWhatAScenarioDid()
    {
        await using var host = Fixture.CreateHost([.. Enabled, new("Accounts:LockoutThreshold", "3")]);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var (victim, _) = await IdentityServerFixture.CreateUserAsync(client);
        var before = await PrometheusScrape.ReadAsync(client);

        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password)).IsError);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "x")).IsError);
        }

        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(client, IdentityServerFixture.NewUserName(), password)).IsError);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(client, victim, password)).IsError);
        }

        var refreshed = await IdentityServerFixture.RefreshAsync(
            client, (await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password)).RefreshToken!);
        Assert.False(refreshed.IsError, refreshed.Raw);
        Assert.False((await Fixture.RequestMachineTokenAsync(client)).IsError);
        Assert.True((await Fixture.RequestMachineTokenAsync(client, secret: "wrong")).IsError);
        var after = await PrometheusScrape.ReadAsync(client);
        double Delta(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        // Note: ASP.NET Core records a request's duration once its response has gone, so the last one can reach the
        // meter just after the client read it; the scrape is read again, for a bounded time, until it is there.
        for (var wait = 0; wait < 50 && Delta("http_server_request_duration_seconds_count", ("http_route", "/connect/token")) < 11; wait++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            after = await PrometheusScrape.ReadAsync(client);
        }

        Assert.Equal(2, Delta("identityhost_sign_ins_total", ("method", "password"), ("result", "succeeded")));
        Assert.Equal(5, Delta("identityhost_sign_ins_total", ("method", "password"), ("result", "failed")));
        Assert.Equal(1, Delta("identityhost_sign_ins_total", ("method", "password"), ("result", "locked_out")));
        Assert.Equal(1, Delta("identityhost_lockouts_total"));
        Assert.Equal(2, Delta("identityhost_tokens_issued_total", ("grant_type", "password")));
        Assert.Equal(1, Delta("identityhost_tokens_issued_total", ("grant_type", "refresh_token")));
        Assert.Equal(1, Delta("identityhost_tokens_issued_total", ("grant_type", "client_credentials")));
        Assert.Equal(4, Delta("identityhost_tokens_issued_total"));

        // Note: the built-in meters come along: ASP.NET Core's request durations, Identity's (new in .NET 10), the runtime's.
        Assert.Equal(11, Delta("http_server_request_duration_seconds_count", ("http_route", "/connect/token")));
        Assert.True(after.Has("aspnetcore_identity_user_check_password_attempts_total"), "Identity's meter is exported");
        Assert.True(after.Has("dotnet_gc_collections_total"), "the runtime's meter is exported");
    }

    [Fact]
    public async Task DeliveredMailIsCountedAndTheOutboxDepthIsExported()
    {
        await using var host = Fixture.CreateHost(Enabled);
        using var client = host.CreateClient();
        var before = await PrometheusScrape.ReadAsync(client);

        var user = await IdentityServerFixture.CreateUserWithEmailAsync(client);
        await Fixture.Mail.WaitForAsync(user.Email);
        var after = await PrometheusScrape.ReadAsync(client);
        for (var attempt = 0; attempt < 100 && after.Sum("identityhost_mails_sent_total") == before.Sum("identityhost_mails_sent_total"); attempt++)
        {
            // Note: the SMTP server has the mail a moment before the sender marks it done and counts it.
            await Task.Delay(20, TestContext.Current.CancellationToken);
            after = await PrometheusScrape.ReadAsync(client);
        }

        Assert.Equal(1, after.Sum("identityhost_mails_sent_total") - before.Sum("identityhost_mails_sent_total"));
        Assert.True(after.Has("identityhost_mail_outbox_depth"), after.Text);
    }

    [Fact]
    public async Task KeyCreationIsCounted()
    {
        // Note: a server on an empty database creates its first signing and encryption keys while it starts.
        await using var host = Fixture.CreateHost(
            [.. Enabled, new("ConnectionStrings:IdentityHost", await Fixture.CreateDatabaseAsync())]);
        using var client = host.CreateClient();

        var scrape = await PrometheusScrape.ReadAsync(client);

        Assert.True(scrape.Sum("identityhost_key_rotations_total") >= 2, scrape.Text);
    }

    [Fact]
    public async Task DashboardQueriesOnlyMetricsTheServerExports()
    {
        var dashboard = System.Text.Json.JsonDocument.Parse(
            await File.ReadAllTextAsync(RepositoryPaths.Combine("deploy", "grafana", "dashboards", "identityhost.json"), TestContext.Current.CancellationToken));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .SelectMany(target => MetricName().Matches(target.GetProperty("expr").GetString()!).Select(match => match.Value))
            .ToHashSet(StringComparer.Ordinal);
        await using var host = Fixture.CreateHost(
            [.. Enabled, new("ConnectionStrings:IdentityHost", await Fixture.CreateDatabaseAsync()), new("Accounts:LockoutThreshold", "1")]);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        Assert.False((await Fixture.RequestMachineTokenAsync(client)).IsError);
        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "x")).IsError);

        var scrape = await PrometheusScrape.ReadAsync(client);

        Assert.True(queried.Count >= 10, string.Join(", ", queried));
        Assert.All(queried, name => Assert.True(scrape.Has(name), $"{name} is not in the scrape"));
    }

    // Note: a name followed by a comparison, a comma or a closing parenthesis is a label (http_route="/x", by (http_route)).
    [System.Text.RegularExpressions.GeneratedRegex(@"\b(identityhost|http|dotnet|aspnetcore|kestrel|microsoft)_[a-z0-9_]+\b(?!\s*[=!~,)])")]
    private static partial System.Text.RegularExpressions.Regex MetricName();
}

/// <summary>The tests above on SQLite.</summary>
[Collection(ProcessWideMeters.Name)]
public sealed class SqliteMetricsTests(SqliteServerFixture fixture) : MetricsTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
[Collection(ProcessWideMeters.Name)]
public sealed class MySqlMetricsTests(MySqlServerFixture fixture) : MetricsTests(fixture), IClassFixture<MySqlServerFixture>;
