namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// Keeps the managed keys current in the background: each second it compares the clock with the ring's next refresh
/// (the refresh interval, or the moment a key activates or expires) and rebuilds the ring when it is due, so no request
/// ever waits for the database to hand out keys.
/// </summary>
/// <remarks>
/// Note: a check each second rather than one timer set for the due moment, so a test that moves the clock forward
/// (or a host resuming from sleep) is seen within a second. A key activates up to a second late, which is harmless:
/// it has been published for the whole propagation time, and the key it replaces stays valid for its tokens' lifetime.
/// </remarks>
internal sealed class KeyRingRefresher(IServiceProvider services, TimeProvider clock, ILogger<KeyRingRefresher> logger) : BackgroundService
{
    /// <summary>How often the ring's refresh time is compared with the clock.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Note: resolved here, once the host has started, not in the constructor: the manager reads the key settings,
        // and an invalid one must fail start-up through options validation, with its message.
        var manager = services.GetRequiredService<KeyRingManager>();
        using var timer = new PeriodicTimer(CheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await manager.EnsureFreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Note: the keys in use stay in use; the next tick tries again.
                logger.LogWarning(exception, "Refreshing the server keys failed; keeping the current ones");
            }
        }
    }
}
