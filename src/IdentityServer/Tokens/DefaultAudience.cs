using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Gives every access token an audience, as RFC 9068 section 2.2 requires of an <c>at+jwt</c>: a token granted no API
/// (neither the <c>api</c> scope nor a resource indicator) is for this server itself, its userinfo endpoint and its own
/// APIs, so its audience is the issuer.
/// </summary>
internal sealed class DefaultAudience : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<DefaultAudience>()
            .SetOrder(OpenIddictServerHandlers.PrepareAccessTokenPrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.AccessTokenPrincipal is { } principal && principal.GetAudiences().IsDefaultOrEmpty &&
            (context.Options.Issuer ?? context.BaseUri) is { IsAbsoluteUri: true } issuer)
        {
            principal.SetAudiences(issuer.AbsoluteUri);
        }

        return default;
    }
}
