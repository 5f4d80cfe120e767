using System.Diagnostics;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary>
/// No user enumeration by timing: an unknown user, a wrong password, an empty password and a locked account take the
/// same time at the token endpoint, within a generous bound, over many interleaved samples. A request refused before
/// any hash (an unknown client) is measured too, to show the method would see a missing hash. The tests run alone
/// (<see cref="TimingTests"/>), since other tests' load on the same cores is noise.
/// </summary>
[Collection(TimingTests.Name)]
public abstract class EnumerationTimingTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    // Note: 60 rather than 30 since the hash got cheaper on this machine (about 60 ms): the same scheduling noise
    // weighs more against a bound of a quarter of it, and more samples steady the medians.
    private const int Samples = 60;
    private const int WarmUp = 5;

    [Fact]
    public async Task FailedLoginsTakeTheSameTimeWhateverTheReason()
    {
        // Note: a threshold no test reaches, so the wrong-password samples never lock their user; the locked user is
        // locked directly, exactly as a lockout by guesses leaves the row.
        await using var host = Fixture.CreateHost(
            new Dictionary<string, string?> { ["Accounts:LockoutThreshold"] = "1000000" }, realPasswordHashing: true);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var (lockedName, lockedPassword) = await IdentityServerFixture.CreateUserAsync(client);
        await LockAsync(host, lockedName);

        var cases = new Dictionary<string, Func<Task<TokenResponse>>>
        {
            ["wrong password"] = () => IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong"),
            ["unknown user"] = () => IdentityServerFixture.RequestPasswordTokenAsync(client, IdentityServerFixture.NewUserName(), password),
            ["empty password"] = () => IdentityServerFixture.RequestPasswordTokenAsync(client, userName, string.Empty),
            ["locked account"] = () => IdentityServerFixture.RequestPasswordTokenAsync(client, lockedName, lockedPassword),
            ["unknown client (no hash)"] = () => client.RequestPasswordTokenAsync(new PasswordTokenRequest
            {
                Address = "/connect/token", ClientId = "no-such-client", UserName = userName, Password = password + "-wrong",
            }, TestContext.Current.CancellationToken),
        };
        var times = new TimingSamples(cases.Keys, reference: "wrong password");
        var bodies = new Dictionary<string, HashSet<string>>();

        for (var round = 0; round < WarmUp + Samples; round++)
        {
            foreach (var (name, request) in cases.OrderBy(_ => Random.Shared.Next()))
            {
                var stopwatch = Stopwatch.StartNew();
                var response = await request();
                stopwatch.Stop();
                if (round >= WarmUp)
                {
                    times.Add(name, stopwatch.Elapsed);
                }

                (bodies.TryGetValue(name, out var seen) ? seen : bodies[name] = []).Add($"{(int)response.HttpStatusCode} {response.Raw}");
            }
        }

        var report = times.Report();
        TestContext.Current.TestOutputHelper?.WriteLine("Median times: " + report);

        var reference = times.MedianOf("wrong password");
        var bound = Math.Max(reference * 0.25, 5);
        foreach (var name in new[] { "unknown user", "empty password", "locked account" })
        {
            Assert.True(Math.Abs(times.SameRoundDifference(name)) <= bound, $"{name} differs from a wrong password by more than {bound:F1} ms: {report}");
            Assert.Equal(bodies["wrong password"], bodies[name]);
        }

        Assert.True(times.MedianOf("unknown client (no hash)") < reference / 2, $"The measurement cannot see a missing hash: {report}");
    }

    private static async Task LockAsync(IdentityServerHost host, string userName)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var normalized = userName.ToUpperInvariant();
        var until = DateTimeOffset.UtcNow.AddMinutes(15);
        await database.Users.Where(user => user.NormalizedUserName == normalized)
            .ExecuteUpdateAsync(set => set.SetProperty(user => user.LockoutEnd, until), TestContext.Current.CancellationToken);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteEnumerationTimingTests(SqliteServerFixture fixture)
    : EnumerationTimingTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlEnumerationTimingTests(MySqlServerFixture fixture)
    : EnumerationTimingTests(fixture), IClassFixture<MySqlServerFixture>;
