using Microsoft.Extensions.Caching.Memory;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// The registered clients this node looked up lately, shared by all requests, so a client asking for tokens costs no
/// database query to find itself. Entries are detached copies (plain values, no change tracking) and last
/// <see cref="Lifetime"/>; at most <see cref="Capacity"/> are kept, the least recently used going first.
/// </summary>
/// <remarks>
/// Note: a client changed through OpenIddict on this node (the client synchroniser at start-up) is evicted at once;
/// one changed by another node sharing the database is seen here within <see cref="Lifetime"/>.
/// </remarks>
internal sealed class ClientLookupCache(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    public const int Capacity = 10_000;

    private readonly MemoryCache _entries = new(new MemoryCacheOptions
    {
        SizeLimit = Capacity,
        Clock = new MemoryCacheClock(clock),
    });

    public bool TryGet(string clientId, out object? application) => _entries.TryGetValue(clientId, out application);

    public void Set(string clientId, object application) =>
        _entries.Set(clientId, application, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    public void Remove(string clientId) => _entries.Remove(clientId);

    public void Dispose() => _entries.Dispose();
}
