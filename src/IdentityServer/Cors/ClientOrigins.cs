using System.Collections.Frozen;
using System.Text.Json;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Common;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Cors;

/// <summary>
/// The origins browser apps of registered clients run on: the origin of each http(s) redirect URI of every client, and
/// each client's <c>AllowedCorsOrigins</c> (<see cref="ClientProperties.AllowedCorsOrigins"/>). Read from the database
/// and kept for <see cref="ClientLookupCache.Lifetime"/>, like the clients themselves, so a CORS request costs no query.
/// </summary>
/// <remarks>
/// Note: one read refreshes the set for everyone; requests arriving meanwhile use the set they have. If the database
/// cannot be read, the set in hand stays in use and the read is retried on the next request.
/// </remarks>
internal sealed class ClientOrigins(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ClientOrigins> logger) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private FrozenSet<string>? _origins;
    private DateTimeOffset _expires;

    /// <summary>Whether a browser app of some registered client may run on <paramref name="origin"/>.</summary>
    public async ValueTask<bool> IsAllowedAsync(string origin, CancellationToken cancellationToken)
    {
        var origins = _origins is { } current && clock.GetUtcNow() < _expires ? current : await RefreshAsync(cancellationToken);
        return origins.Contains(origin);
    }

    private async Task<FrozenSet<string>> RefreshAsync(CancellationToken cancellationToken)
    {
        var stale = _origins;
        if (stale is null)
        {
            await _refresh.WaitAsync(cancellationToken);
        }
        else if (!await _refresh.WaitAsync(0, cancellationToken))
        {
            // Note: another request is reading already; this one need not wait for it.
            return stale;
        }

        try
        {
            if (_origins is { } fresh && clock.GetUtcNow() < _expires)
            {
                return fresh;
            }

            var origins = await ReadAsync(cancellationToken);
            _expires = clock.GetUtcNow() + ClientLookupCache.Lifetime;
            _origins = origins;
            return origins;
        }
        catch (Exception exception) when (_origins is { } kept && exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Could not re-read the clients' CORS origins; keeping the {Count} known ones", kept.Count);
            return kept;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<FrozenSet<string>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var origins = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            foreach (var uri in await applications.GetRedirectUrisAsync(application, cancellationToken))
            {
                if (Uri.TryCreate(uri, UriKind.Absolute, out var redirect) && Origins.Of(redirect) is { } origin)
                {
                    origins.Add(origin);
                }
            }

            var properties = await applications.GetPropertiesAsync(application, cancellationToken);
            if (properties.TryGetValue(ClientProperties.AllowedCorsOrigins, out var allowed) && allowed.ValueKind == JsonValueKind.Array)
            {
                origins.UnionWith(allowed.EnumerateArray()
                    .Select(entry => entry.ValueKind == JsonValueKind.String ? Origins.Normalize(entry.GetString()!) : null)
                    .OfType<string>());
            }
        }

        return origins.ToFrozenSet(StringComparer.Ordinal);
    }

    public void Dispose() => _refresh.Dispose();
}
