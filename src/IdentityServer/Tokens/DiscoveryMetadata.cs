using System.Collections.Immutable;
using IdentityHost.IdentityServer.Mfa;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// What discovery must say that OpenIddict leaves out: the algorithms a client may sign a <c>private_key_jwt</c>
/// assertion with, at each endpoint that accepts one (RFC 8414 section 2 requires them wherever
/// <c>private_key_jwt</c> is advertised), and the <c>acr</c> values the server issues.
/// </summary>
internal sealed class DiscoveryMetadata : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    /// <summary>The JWS algorithms of client assertions: RSA (PKCS#1 v1.5 and PSS) and ECDSA.</summary>
    public static IReadOnlyList<string> ClientAssertionAlgorithms { get; } =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryMetadata>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachAdditionalMetadata.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ImmutableArray<string?> algorithms = [.. ClientAssertionAlgorithms];
        if (context.TokenEndpointAuthenticationMethods.Contains(ClientAuthenticationMethods.PrivateKeyJwt))
        {
            context.Metadata[Metadata.TokenEndpointAuthSigningAlgValuesSupported] = algorithms;
        }

        if (context.IntrospectionEndpointAuthenticationMethods.Contains(ClientAuthenticationMethods.PrivateKeyJwt))
        {
            context.Metadata[Metadata.IntrospectionEndpointAuthSigningAlgValuesSupported] = algorithms;
        }

        if (context.RevocationEndpointAuthenticationMethods.Contains(ClientAuthenticationMethods.PrivateKeyJwt))
        {
            context.Metadata[Metadata.RevocationEndpointAuthSigningAlgValuesSupported] = algorithms;
        }

        // Note: the levels of AuthenticationMethods; an authorization request naming the multi-factor one in acr_values
        // gets a second factor asked for.
        context.Metadata["acr_values_supported"] = ImmutableArray.CreateRange<string?>(AuthenticationMethods.Levels);
        return default;
    }
}
