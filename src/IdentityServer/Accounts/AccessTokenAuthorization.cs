using Microsoft.AspNetCore.Authorization;
using OpenIddict.Validation.AspNetCore;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>Protects the server's own API endpoints with its access tokens (validated locally by OpenIddict).</summary>
public static class AccessTokenAuthorization
{
    /// <summary>
    /// Requires a valid access token issued by this server, plus whatever <paramref name="configure"/> adds
    /// (e.g. a role).
    /// </summary>
    public static TBuilder RequireAccessToken<TBuilder>(this TBuilder builder, Action<AuthorizationPolicyBuilder>? configure = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy =>
        {
            policy.AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).RequireAuthenticatedUser();
            configure?.Invoke(policy);
        });
}
