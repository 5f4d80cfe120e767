using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Revoking a refresh token at <c>/connect/revoke</c> ends its whole grant: the access tokens issued with it (and every
/// other token of that authorization) become inactive at introspection, as RFC 7009 section 2.1 expects of a server
/// that can; OpenIddict revokes only the token it was given.
/// </summary>
internal sealed class RefreshTokenRevocation(IOpenIddictTokenManager tokens)
    : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<RefreshTokenRevocation>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.IsRejected || context.GenericTokenPrincipal is not { } principal ||
            principal.GetTokenType() != TokenTypeIdentifiers.RefreshToken || principal.GetAuthorizationId() is not { Length: > 0 } id)
        {
            return;
        }

        // Note: the authorization too (GrantRevokingTokenManager), which ends its access tokens at introspection.
        await tokens.RevokeByAuthorizationIdAsync(id, context.CancellationToken);
    }
}
