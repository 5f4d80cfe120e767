using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// Remembers client secrets that recently verified against their stored hash, so a confidential client asking for
/// tokens many times a second costs one PBKDF2 verification (OpenIddict's 10,000 iterations of SHA-256), not one per
/// request. Only successes are remembered: a wrong secret always pays the full hash.
/// </summary>
/// <remarks>
/// Note: an entry is keyed by the stored hash itself, so a changed or removed secret (the client synchroniser writes
/// a new hash, with a new salt) can never match an old entry. The secret is kept only as an HMAC under a key made at
/// start-up, never as text, and compared in fixed time. Entries last <see cref="Lifetime"/>; at most
/// <see cref="Capacity"/> are kept, the least recently used going first when it is full.
/// </remarks>
internal sealed class ClientSecretCache(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public const int Capacity = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly MemoryCache _entries = new(new MemoryCacheOptions
    {
        SizeLimit = Capacity,
        Clock = new MemoryCacheClock(clock),
    });

    public bool IsKnownValid(string storedHash, string secret) =>
        _entries.TryGetValue(storedHash, out byte[]? mac) && CryptographicOperations.FixedTimeEquals(mac, Mac(secret));

    public void RememberValid(string storedHash, string secret) =>
        _entries.Set(storedHash, Mac(secret), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    public void Dispose() => _entries.Dispose();

    private byte[] Mac(string secret) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(secret));
}
