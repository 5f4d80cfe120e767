namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Reads the password blocklist in the background as the server starts, so start-up does not wait for it and the
/// first registration does not pay for it. A list that cannot be read stops the server.
/// </summary>
internal sealed class PasswordBlocklistLoader(PasswordBlocklist blocklist) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(
            () =>
            {
                if (blocklist.IsLoaded)
                {
                    // Note: a list handed in already loaded (one shared by several hosts in a test process) is not read
                    // again, and leaves nothing behind to collect.
                    return;
                }

                _ = blocklist.Count;
                // Note: reading the list makes some 20 MB of short-lived strings; one compacting collection hands that
                // memory back to the system now, instead of leaving it in the process for good (docs/benchmarks.md).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            },
            stoppingToken);
}
