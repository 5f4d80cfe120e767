using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>OpenIddict's application manager, with client-secret checks that remember recent successes (<see cref="ClientSecretCache"/>).</summary>
internal sealed class CachingApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    ClientSecretCache secrets)
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
}
