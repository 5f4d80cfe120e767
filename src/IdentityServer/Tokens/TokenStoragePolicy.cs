using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Stores only the tokens that revocation needs. Authorization codes and refresh tokens are stored (single use,
/// rotation, reuse detection), and so are the access tokens of users, so that introspection sees them revoked when
/// their login ends (sign-out, password change, code replay, disabled user). Not stored: identity tokens, which
/// nothing revokes, and the access tokens of clients acting for themselves (client_credentials), which belong to no
/// login; a database row for each would be written on every grant and never read.
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
            (context.TokenType == TokenTypeIdentifiers.AccessToken && context.Request is { } request && request.IsClientCredentialsGrantType()))
        {
            context.CreateTokenEntry = false;
        }

        return ValueTask.CompletedTask;
    }
}
