using System.Net;
using System.Text.Json;
using static IdentityHost.IdentityServer.IntegrationTests.Hosting.DatabaseOutage;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// The database dies under load and comes back (<see cref="DatabaseOutage"/>). MySQL only: a SQLite file cannot be
/// stopped. Every test reads the one recorded outage.
/// </summary>
public sealed class MySqlDatabaseOutageTests : IClassFixture<DatabaseOutage>
{
    /// <summary>How long a request may take to fail while the database is down.</summary>
    private static readonly TimeSpan FailFastLimit = TimeSpan.FromSeconds(2);

    /// <summary>What would show that an exception reached a client.</summary>
    private static readonly string[] Leaks = ["Exception", "MySql", "   at ", ".cs:line", "StackTrace"];

    private readonly DatabaseOutage _outage;

    public MySqlDatabaseOutageTests(DatabaseOutage outage)
    {
        Assert.SkipWhen(outage.SkipReason is not null, outage.SkipReason ?? string.Empty);
        _outage = outage;
    }

    [Fact]
    public void AnswersEveryRequestWhileTheDatabaseIsDownWithAQuick503()
    {
        var duringOutage = WhileDown(RequestKind.Registration).Concat(WhileDown(RequestKind.PasswordGrant)).ToList();

        Assert.True(duringOutage.Count >= 4, $"Only {duringOutage.Count} requests ran while the database was down.");
        Assert.All(duringOutage, exchange =>
        {
            Assert.True(exchange.Status == HttpStatusCode.ServiceUnavailable, exchange.ToString());
            Assert.True(exchange.Duration < FailFastLimit, exchange.ToString());
        });
    }

    [Fact]
    public void AnswersRegistrationsCutOffInsideTheirTransactionWith503()
    {
        var cutOff = _outage.Exchanges
            .Where(exchange => exchange.Kind == RequestKind.Registration && exchange.StartedAt < _outage.KillAt && exchange.EndedAt > _outage.KillAt)
            .ToList();

        Assert.True(_outage.HeldRegistrations > 0, "No registration was inside its transaction when the database was killed.");
        Assert.True(
            cutOff.Count(exchange => exchange.Status == HttpStatusCode.ServiceUnavailable) >= _outage.HeldRegistrations,
            string.Join("\n", cutOff));
    }

    [Fact]
    public void AnswersRegistrationsWithProblemDetailsAndRetryAfterWhileTheDatabaseIsDown()
    {
        var unavailable = Unavailable(RequestKind.Registration);

        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, exchange =>
        {
            Assert.Equal("application/problem+json", exchange.MediaType);
            var body = JsonDocument.Parse(exchange.Body).RootElement;
            Assert.Equal(503, body.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
            Assert.True(int.Parse(exchange.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0, exchange.ToString());
        });
    }

    [Fact]
    public void AnswersPasswordGrantsWithTemporarilyUnavailableAndRetryAfterWhileTheDatabaseIsDown()
    {
        var unavailable = Unavailable(RequestKind.PasswordGrant);

        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, exchange =>
        {
            Assert.Equal("application/json", exchange.MediaType);
            var body = JsonDocument.Parse(exchange.Body).RootElement;
            Assert.Equal("temporarily_unavailable", body.GetProperty("error").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
            Assert.True(int.Parse(exchange.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0, exchange.ToString());
        });
    }

    [Fact]
    public void AnswersOnlySuccessOr503AndNeverLeaksExceptionText()
    {
        Assert.All(_outage.Exchanges, exchange =>
        {
            Assert.True(
                exchange.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable,
                exchange.ToString());
            foreach (var leak in Leaks)
            {
                Assert.DoesNotContain(leak, exchange.Body, StringComparison.OrdinalIgnoreCase);
            }
        });
    }

    [Fact]
    public void ReportsNotReadyWhileTheDatabaseIsDown()
    {
        var probes = _outage.Exchanges.Where(exchange => exchange.Kind == RequestKind.Readiness).ToList();
        // Note: between the kill and the exit a probe may already see the database going; before the kill it may not.
        var before = probes.Where(probe => probe.EndedAt < _outage.KillAt).ToList();
        var whileDown = WhileDown(RequestKind.Readiness).ToList();

        Assert.NotEmpty(before);
        Assert.All(before, probe => Assert.Equal(HttpStatusCode.OK, probe.Status));
        // Note: on a loaded machine a probe can take a while; one that ran wholly inside the outage is enough.
        Assert.NotEmpty(whileDown);
        Assert.All(whileDown, probe =>
        {
            Assert.True(probe.Status == HttpStatusCode.ServiceUnavailable, probe.ToString());
            Assert.Equal("Unhealthy", probe.Body);
            Assert.True(probe.Duration < FailFastLimit, probe.ToString());
        });
    }

    [Fact]
    public void RecoversWithinSecondsOfTheDatabaseReturning()
    {
        var seconds = _outage.RecoverySeconds();

        var afterReturn = _outage.Exchanges.Where(exchange => exchange.StartedAt >= _outage.UpAt).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Set-up {_outage.SetupTime.TotalSeconds:F2}s; killed at {_outage.KillAt.TotalSeconds:F2}s, exited {_outage.DownAt.TotalSeconds:F2}s, " +
            $"restarted {_outage.RestartAt.TotalSeconds:F2}s, accepting connections {_outage.UpAt.TotalSeconds:F2}s; " +
            $"first success after its return: registration {_outage.FirstSuccessSeconds(RequestKind.Registration):F2}s, " +
            $"password grant {_outage.FirstSuccessSeconds(RequestKind.PasswordGrant):F2}s, readiness {_outage.FirstSuccessSeconds(RequestKind.Readiness):F2}s; " +
            $"{afterReturn.Count(exchange => !exchange.Succeeded)} of {afterReturn.Count} requests sent after its return failed; " +
            $"{_outage.Exchanges.Count} requests in all.");
        Assert.True(seconds is not null, "The server did not recover: " + string.Join("\n", _outage.Exchanges.TakeLast(10)));
        Assert.True(seconds < 5, $"The server took {seconds:F2} s to recover.");
        Assert.All(
            _outage.Exchanges.Where(exchange => exchange.StartedAt > _outage.UpAt + TimeSpan.FromSeconds(seconds!.Value)),
            exchange => Assert.True(exchange.Succeeded, "Failed after recovery: " + exchange));
    }

    [Fact]
    public void KeepsEveryAcceptedRegistrationWholeAndWritesNoneByHalf()
    {
        var created = _outage.Exchanges
            .Where(exchange => exchange.Kind == RequestKind.Registration && exchange.Status == HttpStatusCode.Created)
            .ToList();

        Assert.NotEmpty(created);
        Assert.All(created, exchange =>
        {
            Assert.True(_outage.StoredUsers.TryGetValue(exchange.UserName!, out var roles), $"{exchange.UserName} was answered 201 but is not stored.");
            Assert.Equal(["user"], roles);
        });
        Assert.All(_outage.StoredUsers, user => Assert.True(user.Value.Length > 0, $"{user.Key} is stored without a role."));
    }

    private IEnumerable<Exchange> WhileDown(RequestKind kind) =>
        _outage.Exchanges.Where(exchange =>
            exchange.Kind == kind && exchange.StartedAt > _outage.DownAt && exchange.EndedAt < _outage.RestartAt);

    private List<Exchange> Unavailable(RequestKind kind) =>
        [.. _outage.Exchanges.Where(exchange => exchange.Kind == kind && exchange.Status == HttpStatusCode.ServiceUnavailable)];
}
