using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.Testing;

/// <summary>
/// Base of the test classes that run once per database: skips loudly (with the reason) when the database is
/// unavailable here, and gives each test a client of the fixture's server.
/// </summary>
public abstract class ServerTests : IDisposable
{
    protected ServerTests(IdentityServerFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        Fixture = fixture;
        Client = fixture.CreateClient();
    }

    protected IdentityServerFixture Fixture { get; }

    /// <summary>A client of the in-memory server, at <see cref="IdentityServerFixture.Authority"/>.</summary>
    protected HttpClient Client { get; }

    /// <summary>How many users the fixture's database holds, read directly (not through the API under test).</summary>
    protected async Task<int> CountUsersAsync()
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Users
            .CountAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The id of the user named <paramref name="userName"/>, read directly.</summary>
    protected async Task<string> UserIdAsync(string userName)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var normalized = userName.ToUpperInvariant();
        return await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Users
            .Where(user => user.NormalizedUserName == normalized).Select(user => user.Id)
            .SingleAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Waits (15 s at most) until the fixture's outbox holds nothing pending: every request handled, every mail sent.</summary>
    protected async Task WaitForOutboxAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var scope = Fixture.Host.Services.CreateAsyncScope();
            var pending = await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Outbox
                .CountAsync(row => row.DoneAt == null, TestContext.Current.CancellationToken);
            if (pending == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{pending} outbox rows were still pending after 15 seconds.");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }
}
