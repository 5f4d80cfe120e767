using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// Remembers client secrets that recently verified against their stored hash, so a confidential client asking for
/// tokens many times a second costs one PBKDF2 verification (OpenIddict's 10,000 iterations of SHA-256), not one per
/// request. Only successes are remembered: a wrong secret always pays the full hash.
/// </summary>
/// <remarks>
/// Note: an entry is keyed by the stored hash itself, so a changed or removed secret (the client synchroniser writes
/// a new hash, with a new salt) can never match an old entry. The secret is kept only as an HMAC under a key made at
/// start-up, never as text, and compared in fixed time. Entries last <see cref="Lifetime"/>; the cache holds at most
/// <see cref="Capacity"/> of them and starts afresh when full.
/// </remarks>
internal sealed class ClientSecretCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public const int Capacity = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool IsKnownValid(string storedHash, string secret)
    {
        if (!_entries.TryGetValue(storedHash, out var entry))
        {
            return false;
        }

        if (clock.GetUtcNow() >= entry.Expires)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(storedHash, entry));
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(entry.Mac, Mac(secret));
    }

    public void RememberValid(string storedHash, string secret)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[storedHash] = new Entry(Mac(secret), clock.GetUtcNow() + Lifetime);
    }

    private byte[] Mac(string secret) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(secret));

    private sealed record Entry(byte[] Mac, DateTimeOffset Expires);
}
