using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// OpenIddict's token manager, where revoking the tokens of an authorization (a replayed code, a reused refresh token,
/// a revoked refresh token) revokes the authorization as well. A user's access token issued with an authorization has
/// no row of its own (<see cref="TokenStoragePolicy"/>): introspection finds it revoked through its authorization's
/// status, so a family's revocation must reach that status too.
/// </summary>
internal sealed class GrantRevokingTokenManager<TToken>(
    IOpenIddictTokenCache<TToken> cache,
    ILogger<OpenIddictTokenManager<TToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictTokenStore<TToken> store,
    IServiceProvider services)
    : OpenIddictTokenManager<TToken>(cache, logger, options, store)
    where TToken : class
{
    public override async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        // Note: the authorization manager is resolved here, not injected: OpenIddict's managers are built by its own
        // resolvers, and this keeps the two independent of each other's construction.
        var authorizations = services.GetRequiredService<IOpenIddictAuthorizationManager>();
        if (await authorizations.FindByIdAsync(identifier, cancellationToken) is { } authorization)
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
        }

        return await base.RevokeByAuthorizationIdAsync(identifier, cancellationToken);
    }
}
