using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// OpenIddict's application manager, with client-secret checks that remember recent successes
/// (<see cref="ClientSecretCache"/>), and the key sets of clients that publish them at a <c>JwksUri</c>
/// (<see cref="ClientKeySetCache"/>).
/// </summary>
internal sealed class CachingApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    ClientSecretCache secrets,
    ClientKeySetCache keySets)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store)
    where TApplication : class
{
    protected override async ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(secret) && !string.IsNullOrEmpty(comparand) && secrets.IsKnownValid(comparand, secret))
        {
            return true;
        }

        var valid = await base.ValidateClientSecretAsync(secret, comparand, cancellationToken);
        if (valid)
        {
            secrets.RememberValid(comparand, secret);
        }

        return valid;
    }

    public override async ValueTask<JsonWebKeySet?> GetJsonWebKeySetAsync(TApplication application, CancellationToken cancellationToken = default)
    {
        // Note: a client that publishes its keys at a URI is always judged by what it publishes there now.
        var properties = await GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(ClientProperties.JwksUri, out var uri) && uri.ValueKind == System.Text.Json.JsonValueKind.String
            ? await keySets.GetAsync(uri.GetString()!, cancellationToken)
            : await base.GetJsonWebKeySetAsync(application, cancellationToken);
    }
}
