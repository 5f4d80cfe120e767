using IdentityHost.IdentityServer.Common;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Reads the password blocklist in the background once the server has started, so start-up neither waits for it nor
/// shares the CPU with it, and the first registration does not pay for it (one that comes sooner reads the list
/// itself and waits for it). A list that cannot be read stops the server; a missing file already fails start-up's
/// validation (<see cref="AccountsExtensions"/>).
/// </summary>
internal sealed class PasswordBlocklistLoader(PasswordBlocklist blocklist, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (blocklist.IsLoaded)
        {
            // Note: a list handed in already loaded (one shared by several hosts in a test process) is not read again.
            return;
        }

        await lifetime.WaitForStartAsync(stoppingToken);

        await Task.Run(
            () =>
            {
                _ = blocklist.Count;
                // Note: the list is read line by line as bytes (PasswordBlocklist.Load) and leaves little to collect; this
                // one compacting collection, after start-up rather than inside it, hands back to the system what start-up
                // left behind (EF Core's model building, configuration binding), about 20 MB of RSS (docs/benchmarks.md).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            },
            stoppingToken);
    }
}
