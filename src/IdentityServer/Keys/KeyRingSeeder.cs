using IdentityHost.IdentityServer.Data;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>Loads the managed keys (creating the first ones on a new database) before the server takes requests.</summary>
internal sealed class KeyRingSeeder(KeyRingManager manager) : IDatabaseSeeder
{
    public Task SeedAsync(CancellationToken cancellationToken) => manager.RefreshAsync(cancellationToken);
}
