using Microsoft.Extensions.Internal;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>The server's <see cref="TimeProvider"/> as the clock <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/> reads expirations from.</summary>
internal sealed class MemoryCacheClock(TimeProvider clock) : ISystemClock
{
    public DateTimeOffset UtcNow => clock.GetUtcNow();
}
