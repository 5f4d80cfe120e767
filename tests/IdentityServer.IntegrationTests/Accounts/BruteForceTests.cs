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

    private IdentityServerHost HostWithThreshold(int threshold) => Fixture.CreateHost(new Dictionary<string, string?>
    {
        ["Accounts:LockoutThreshold"] = threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

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
