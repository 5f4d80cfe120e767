using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Revokes the token sent to <c>/connect/revoke</c>, in place of OpenIddict's <c>RevokeToken</c>: a token with a row is
/// revoked as OpenIddict does, and a refresh token ends its whole grant with it (the access tokens issued with it and
/// every other token of that authorization become inactive at introspection, as RFC 7009 section 2.1 expects of a
/// server that can; OpenIddict revokes only the token it was given). A user's access token without a row (see
/// <see cref="TokenStoragePolicy"/>) is revoked through its authorization, which ends the login it came from, with its
/// refresh token, as the same section allows ("MAY revoke the respective refresh token as well"). Any other token
/// without a row (a client_credentials access token) answers <c>unsupported_token_type</c>, as before.
/// </summary>
internal sealed class TokenRevocation(IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .UseScopedHandler<TokenRevocation>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GenericTokenPrincipal is not { } principal)
        {
            return;
        }

        if (principal.GetTokenId() is { Length: > 0 } identifier)
        {
            var token = await tokens.FindByIdAsync(identifier, context.CancellationToken);
            if (token is null)
            {
                context.Reject(Errors.InvalidToken, "The specified token is invalid.");
            }
            else if (!await tokens.TryRevokeAsync(token, context.CancellationToken))
            {
                context.Reject(Errors.UnsupportedTokenType, "The specified token cannot be revoked.");
            }
            else if (principal.GetTokenType() == TokenTypeIdentifiers.RefreshToken && principal.GetAuthorizationId() is { Length: > 0 } grant)
            {
                // Note: the authorization too (GrantRevokingTokenManager), which ends its access tokens at introspection.
                await tokens.RevokeByAuthorizationIdAsync(grant, context.CancellationToken);
            }

            return;
        }

        if (principal.GetTokenType() == TokenTypeIdentifiers.AccessToken && principal.GetAuthorizationId() is { Length: > 0 } authorization)
        {
            await tokens.RevokeByAuthorizationIdAsync(authorization, context.CancellationToken);
            return;
        }

        context.Reject(Errors.UnsupportedTokenType, "The specified token cannot be revoked.");
    }
}
