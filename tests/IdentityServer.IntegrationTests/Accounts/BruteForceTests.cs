using Duende.IdentityModel;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary>Wrong passwords are counted race-free; a lockout looks exactly like a wrong password; a success resets the count.</summary>
public abstract class BruteForceTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task FiftyParallelWrongPasswordsAllCount()
    {
        await using var host = HostWithThreshold(1000);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(attempt =>
            IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong-" + attempt)));

        Assert.All(attempts, attempt => Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, attempt.Error));
        Assert.Equal(50, await FailedCountAsync(host, userName));
    }

    [Fact]
    public async Task ParallelWrongPasswordsPastTheThresholdLockTheAccount()
    {
        await using var host = HostWithThreshold(5);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(attempt =>
            IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong-" + attempt)));
        var correct = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, correct.Error);
    }

    [Fact]
    public async Task LockedAccountAnswersExactlyLikeAWrongPassword()
    {
        await using var host = HostWithThreshold(3);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong");
        }

        var wrong = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong");
        var lockedButCorrect = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);

        Assert.Equal(wrong.HttpStatusCode, lockedButCorrect.HttpStatusCode);
        Assert.Equal(wrong.Raw, lockedButCorrect.Raw);
    }

    [Fact]
    public async Task SuccessResetsTheCount()
    {
        await using var host = HostWithThreshold(3);
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);

        for (var round = 0; round < 3; round++)
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong");
            await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong");
            var success = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
            Assert.False(success.IsError, success.Raw);
        }

        Assert.Equal(0, await FailedCountAsync(host, userName));
    }

    [Fact]
    public async Task GuessesFromElsewhereDoNotLockTheOwnerOutOfAKnownAddress()
    {
        await using var host = HostWithThreshold(3, withAddresses: true);
        using var owner = ClientFrom(host, "192.0.2.10");
        using var attacker = ClientFrom(host, "203.0.113.66");
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(owner);
        var before = await IdentityServerFixture.RequestPasswordTokenAsync(owner, userName, password);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(attacker, userName, password + "-guess-" + attempt);
        }

        var attackerWithTheRightPassword = await IdentityServerFixture.RequestPasswordTokenAsync(attacker, userName, password);
        var refreshWhileLocked = await IdentityServerFixture.RefreshAsync(owner, before.RefreshToken!);
        var ownerSignsIn = await IdentityServerFixture.RequestPasswordTokenAsync(owner, userName, password);
        var refreshAfterwards = await IdentityServerFixture.RefreshAsync(owner, before.RefreshToken!);

        Assert.False(before.IsError, before.Raw);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, attackerWithTheRightPassword.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refreshWhileLocked.Error);
        Assert.False(ownerSignsIn.IsError, ownerSignsIn.Raw);
        // Note: the lockout revoked nothing; the owner's sign-in ended it, so their old refresh token works again.
        Assert.False(refreshAfterwards.IsError, refreshAfterwards.Raw);
        Assert.Equal(0, await FailedCountAsync(host, userName));
    }

    [Fact]
    public async Task KnownAddressDoesNotBypassAnAdministratorsDisable()
    {
        await using var host = HostWithThreshold(3, withAddresses: true);
        using var owner = ClientFrom(host, "192.0.2.11");
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(owner);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(owner, userName, password);
        var admin = await Fixture.GetAccessTokenAsync(owner, admin: true);
        using var disable = new HttpRequestMessage(HttpMethod.Post,
            $"/api/users/{new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.AccessToken).Subject}/disable");
        disable.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin);
        using var disabled = await owner.SendAsync(disable, TestContext.Current.CancellationToken);

        var signIn = await IdentityServerFixture.RequestPasswordTokenAsync(owner, userName, password);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, signIn.Error);
    }

    private IdentityServerHost HostWithThreshold(int threshold, bool withAddresses = false) => Fixture.CreateHost(
        new Dictionary<string, string?>
        {
            ["Accounts:LockoutThreshold"] = threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services: withAddresses
            ? services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(
                new RemoteAddressFilter(System.Net.IPAddress.Loopback))
            : null);

    private static HttpClient ClientFrom(IdentityServerHost host, string address)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFilter.Header, address);
        return client;
    }

    private static async Task<int> FailedCountAsync(IdentityServerHost host, string userName)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var normalized = userName.ToUpperInvariant();
        return await database.Users.AsNoTracking()
            .Where(user => user.NormalizedUserName == normalized)
            .Select(user => user.AccessFailedCount)
            .SingleAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteBruteForceTests(SqliteServerFixture fixture)
    : BruteForceTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlBruteForceTests(MySqlServerFixture fixture)
    : BruteForceTests(fixture), IClassFixture<MySqlServerFixture>;
