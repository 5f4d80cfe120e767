using IdentityHost.IdentityServer.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.Testing;

/// <summary>Waits for a server's background key refresh after a test moved its clock.</summary>
public static class ServerKeyRefresh
{
    /// <summary>
    /// Returns once each server has rebuilt its keys for <paramref name="clock"/>'s current time (its refresher looks once
    /// a second), instead of sleeping for a guessed time; fails after 15 seconds.
    /// </summary>
    public static async Task WaitUntilCurrentAsync(TimeProvider clock, params IdentityServerHost[] hosts)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(hosts);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        foreach (var host in hosts)
        {
            var manager = host.Services.GetRequiredService<KeyRingManager>();
            while (manager.Current.RefreshAt <= clock.GetUtcNow())
            {
                Assert.True(DateTime.UtcNow < deadline, "The server did not refresh its keys within 15 seconds.");
                await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
            }
        }
    }
}
