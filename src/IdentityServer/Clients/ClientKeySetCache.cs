using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// The key sets clients publish at their <c>JwksUri</c>, fetched when a <c>private_key_jwt</c> assertion must be checked
/// and kept for <see cref="Lifetime"/>, so a client authenticating many times a second costs one fetch, not one per
/// request. A set that cannot be fetched or read counts as empty (the assertion is refused) and is asked for again on
/// the next request.
/// </summary>
internal sealed class ClientKeySetCache(IHttpClientFactory http, TimeProvider clock, ILogger<ClientKeySetCache> logger) : IDisposable
{
    /// <summary>The name of the HTTP client that fetches key sets (a short timeout, a small response).</summary>
    public const string HttpClientName = "client-jwks";

    /// <summary>How long a fetched key set is used before it is fetched again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The largest key set read, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly MemoryCache _sets = new(new MemoryCacheOptions { SizeLimit = 1_000, Clock = new MemoryCacheClock(clock) });

    public async ValueTask<JsonWebKeySet?> GetAsync(string uri, CancellationToken cancellationToken)
    {
        if (_sets.TryGetValue(uri, out JsonWebKeySet? cached))
        {
            return cached;
        }

        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(new Uri(uri, UriKind.Absolute), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                throw new InvalidDataException($"The key set is larger than {MaxBytes} bytes.");
            }

            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            var set = new JsonWebKeySet(json.Length <= MaxBytes ? json : throw new InvalidDataException($"The key set is larger than {MaxBytes} bytes."));
            _sets.Set(uri, set, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
            return set;
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidDataException or ArgumentException or TaskCanceledException &&
                                           !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not fetch the client key set at {JwksUri}: {Reason}", uri, exception.Message);
            return null;
        }
    }

    public void Dispose() => _sets.Dispose();
}
