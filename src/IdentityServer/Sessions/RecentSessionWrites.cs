using Microsoft.Extensions.Caching.Memory;

namespace IdentityHost.IdentityServer.Sessions;

/// <summary>
/// When this node last wrote each session's last use, so that a login refreshed again and again costs at most one write a
/// minute, not one per refresh. Note: "last used" on the account page is then at most a minute behind, on each node.
/// </summary>
internal sealed class RecentSessionWrites : IDisposable
{
    /// <summary>How far "last used" may lag behind.</summary>
    public static readonly TimeSpan Precision = TimeSpan.FromMinutes(1);

    private readonly MemoryCache _writes = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Whether the last use of <paramref name="sessionId"/> was written less than <see cref="Precision"/> before <paramref name="now"/>.</summary>
    public bool WrittenRecently(string sessionId, DateTime now) =>
        _writes.TryGetValue(sessionId, out DateTime written) && now - written < Precision && now >= written;

    /// <summary>Remembers that the last use of <paramref name="sessionId"/> was written at <paramref name="now"/>.</summary>
    public void Written(string sessionId, DateTime now) =>
        _writes.Set(sessionId, now, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Precision * 2 });

    public void Dispose() => _writes.Dispose();
}
