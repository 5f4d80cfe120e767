namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Reads the password blocklist in the background as the server starts, so start-up does not wait for it and the
/// first registration does not pay for it. A list that cannot be read stops the server.
/// </summary>
internal sealed class PasswordBlocklistLoader(PasswordBlocklist blocklist) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => blocklist.Count, stoppingToken);
}
