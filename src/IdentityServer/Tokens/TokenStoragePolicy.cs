using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Stores only the tokens that revocation needs. Authorization codes and refresh tokens are stored (single use,
/// rotation, reuse detection). A user's access token issued with an authorization (a login with a refresh token, a
/// code or a device code) is not: introspection checks its authorization's status, which every end of the login
/// revokes (sign-out, password change, disabled or deleted user, a revoked refresh token, a replayed code or refresh
/// token: see <see cref="GrantRevokingTokenManager{TToken}"/>), so a row would add a write to every grant and a refresh
/// and never be read. A user's access token without an authorization (a password grant without
/// <c>offline_access</c>) is stored, so those ends reach it. Not stored either: identity tokens, which nothing revokes,
/// and the access tokens of clients acting for themselves (client_credentials), which belong to no login.
/// </summary>
/// <remarks>
/// Note: such a client_credentials access token stays valid until it expires (<c>OpenIddict:AccessTokenLifetime</c>);
/// <c>/connect/revoke</c> answers <c>unsupported_token_type</c> for it, as RFC 7009 section 2.2.1 allows.
/// </remarks>
internal sealed class TokenStoragePolicy : IOpenIddictServerHandler<OpenIddictServerEvents.GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.GenerateTokenContext>()
            .UseSingletonHandler<TokenStoragePolicy>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.GenerateTokenContext context)
    {
        if (context.TokenType == TokenTypeIdentifiers.IdentityToken ||
            (context.TokenType == TokenTypeIdentifiers.AccessToken &&
             ((context.Request is { } request && request.IsClientCredentialsGrantType()) ||
              !string.IsNullOrEmpty(context.Principal?.GetAuthorizationId()))))
        {
            context.CreateTokenEntry = false;
        }

        return ValueTask.CompletedTask;
    }
}
