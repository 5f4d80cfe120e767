using System.Collections.Concurrent;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// The registered clients this node looked up lately, shared by all requests, so a client asking for tokens costs no
/// database query to find itself. Entries are detached copies (plain values, no change tracking) and last
/// <see cref="Lifetime"/>.
/// </summary>
/// <remarks>
/// Note: a client changed through OpenIddict on this node (the client synchroniser at start-up) is evicted at once;
/// one changed by another node sharing the database is seen here within <see cref="Lifetime"/>.
/// </remarks>
internal sealed class ClientLookupCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string clientId, out object? application)
    {
        application = null;
        if (!_entries.TryGetValue(clientId, out var entry))
        {
            return false;
        }

        if (clock.GetUtcNow() >= entry.Expires)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(clientId, entry));
            return false;
        }

        application = entry.Application;
        return true;
    }

    public void Set(string clientId, object application) =>
        _entries[clientId] = new Entry(application, clock.GetUtcNow() + Lifetime);

    public void Remove(string clientId) => _entries.TryRemove(clientId, out _);

    private sealed record Entry(object Application, DateTimeOffset Expires);
}
