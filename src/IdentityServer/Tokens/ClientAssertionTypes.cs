using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Accepts <c>private_key_jwt</c> client assertions as RFC 7523 defines them: a <c>typ</c> of <c>JWT</c> or none, besides
/// the <c>client-authentication+jwt</c> that OpenIddict 7 demands (after draft-ietf-oauth-rfc7523bis), and the token
/// endpoint's URL as audience, besides the issuer.
/// oauth4webapi, openid-client and Duende.IdentityModel send plain RFC 7523 assertions, which OpenIddict alone refuses
/// as "not of the expected type".
/// </summary>
/// <remarks>
/// Note: the typ header guards against a JWT issued for something else being replayed as an assertion. Here an
/// assertion is checked against the client's own keys only (never the server's, so no ID or access token of this
/// server can pass), with OpenIddict's audience, issuer, subject and lifetime rules unchanged.
/// </remarks>
internal static class ClientAssertionTypes
{
    /// <summary>The header types an assertion may carry; an absent one reads as <c>JWT</c>.</summary>
    public static IReadOnlyList<string> Accepted { get; } = [JsonWebTokenTypes.ClientAuthentication, "application/" + JsonWebTokenTypes.ClientAuthentication, "JWT"];

    public static IEnumerable<OpenIddictServerHandlerDescriptor> Descriptors { get; } =
    [
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AcceptPlainTypes>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<RestoreTokenType>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateIdentityModelToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
    ];

    private static bool IsClientAssertion(ValidateTokenContext context) =>
        context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion);

    private sealed class AcceptPlainTypes : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (!IsClientAssertion(context))
            {
                return default;
            }

            if (context.TokenValidationParameters is { } parameters)
            {
                parameters.ValidTypes = Accepted;
            }

            // Note: RFC 7523 section 3 lets the audience be the token endpoint's URL, which Duende.IdentityModel and most
            // client libraries put there; OpenIddict accepts only the issuer (as draft-ietf-oauth-rfc7523bis asks). Both
            // are accepted: the issuer, and each endpoint of this server that takes client assertions.
            if ((context.Options.Issuer ?? context.BaseUri) is { IsAbsoluteUri: true } issuer)
            {
                IEnumerable<Uri> endpoints =
                [
                    .. context.Options.TokenEndpointUris, .. context.Options.IntrospectionEndpointUris, .. context.Options.RevocationEndpointUris,
                    .. context.Options.PushedAuthorizationEndpointUris, .. context.Options.DeviceAuthorizationEndpointUris,
                ];
                foreach (var endpoint in endpoints)
                {
                    context.ValidAudiences.Add((endpoint.IsAbsoluteUri ? endpoint : new Uri(issuer, endpoint)).AbsoluteUri);
                }
            }

            return default;
        }
    }

    /// <summary>OpenIddict reads a <c>JWT</c> typ as an identity token; for an assertion checked as one, it is the assertion.</summary>
    private sealed class RestoreTokenType : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (IsClientAssertion(context) && context.Principal is { } principal && principal.GetTokenType() == TokenTypeIdentifiers.IdentityToken)
            {
                principal.SetTokenType(TokenTypeIdentifiers.Private.ClientAssertion);
            }

            return default;
        }
    }
}
