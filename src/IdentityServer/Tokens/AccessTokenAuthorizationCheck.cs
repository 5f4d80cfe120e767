using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// A user's access token without a row of its own (<see cref="TokenStoragePolicy"/>) is valid at this server
/// (introspection, userinfo, revocation) only while the authorization it was issued with is: OpenIddict checks an
/// authorization only through a token's row, so this reads the authorization named in the token itself.
/// </summary>
internal sealed class AccessTokenAuthorizationCheck(IOpenIddictAuthorizationManager authorizations) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireAuthorizationStorageEnabled>()
            .UseScopedHandler<AccessTokenAuthorizationCheck>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.IsRejected || context.Principal is not { } principal ||
            principal.GetTokenType() != TokenTypeIdentifiers.AccessToken ||
            !string.IsNullOrEmpty(principal.GetTokenId()) ||
            principal.GetAuthorizationId() is not { Length: > 0 } identifier)
        {
            return;
        }

        var authorization = await authorizations.FindByIdAsync(identifier, context.CancellationToken);
        if (authorization is null || !await authorizations.HasStatusAsync(authorization, Statuses.Valid, context.CancellationToken))
        {
            context.Reject(Errors.InvalidToken, "The authorization associated with the token is no longer valid.");
        }
    }
}
