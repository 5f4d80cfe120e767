using System.Diagnostics;
using System.Net;
using IdentityHost.IdentityServer.IntegrationTests.Accounts;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Recovery;

/// <summary>
/// No enumeration through "forgot password": an account with an address, one without, an unknown name and an unknown
/// address get byte-identical answers in the same time, within a generous bound, over many interleaved samples. Run alone
/// (<see cref="TimingTests"/>), like the sign-in timing test.
/// </summary>
[Collection(TimingTests.Name)]
public abstract class ForgotPasswordTimingTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private const int Samples = 60;
    private const int WarmUp = 5;

    [Fact]
    public async Task ForgotPasswordTakesTheSameTimeWhateverTheAccount()
    {
        await using var host = Fixture.CreateHost(realPasswordHashing: true);
        using var client = host.CreateClient();
        var withAddress = await IdentityServerFixture.CreateUserWithEmailAsync(client);
        var (withoutAddress, _) = await IdentityServerFixture.CreateUserAsync(client);

        var cases = new Dictionary<string, string>
        {
            ["account with an address"] = withAddress.UserName,
            ["its address"] = withAddress.Email,
            ["account without an address"] = withoutAddress,
            ["unknown name"] = IdentityServerFixture.NewUserName(),
            ["unknown address"] = IdentityServerFixture.NewEmail(),
        };
        var times = new TimingSamples(cases.Keys, reference: "account with an address");
        var bodies = cases.Keys.ToDictionary(name => name, _ => new HashSet<string>());

        for (var round = 0; round < WarmUp + Samples; round++)
        {
            foreach (var (name, usernameOrEmail) in cases.OrderBy(_ => Random.Shared.Next()))
            {
                var stopwatch = Stopwatch.StartNew();
                using var response = await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/password/forgot",
                    new { usernameOrEmail });
                var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                stopwatch.Stop();
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                if (round >= WarmUp)
                {
                    times.Add(name, stopwatch.Elapsed);
                }

                bodies[name].Add($"{response.Content.Headers.ContentType} {response.Content.Headers.ContentLength} {body}");
            }
        }

        // Note: each case against the reference of the same round (TimingSamples), so load beside the test cancels out.
        var report = times.Report();
        TestContext.Current.TestOutputHelper?.WriteLine("Median times: " + report);

        var reference = times.MedianOf(times.Reference);
        var bound = Math.Max(reference * 0.25, 5);
        foreach (var name in cases.Keys)
        {
            Assert.True(Math.Abs(times.SameRoundDifference(name)) <= bound, $"{name} differs from an account with an address by more than {bound:F1} ms: {report}");
            Assert.Equal(bodies["account with an address"], bodies[name]);
        }

        Assert.Single(bodies["account with an address"]);
        // Note: the account with an address got its mail (its hourly share of them), the others none.
        await Fixture.Mail.WaitForAsync(withAddress.Email, 2);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteForgotPasswordTimingTests(SqliteServerFixture fixture)
    : ForgotPasswordTimingTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlForgotPasswordTimingTests(MySqlServerFixture fixture)
    : ForgotPasswordTimingTests(fixture), IClassFixture<MySqlServerFixture>;
