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

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }
}
