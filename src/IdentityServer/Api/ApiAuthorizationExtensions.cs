using System.Security.Claims;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The named authorization policies of the server's JSON APIs (<see cref="AuthorizationPolicies"/>).</summary>
public static class ApiAuthorizationExtensions
{
    /// <summary>
    /// Adds the policies: every one needs a valid access token of this server (validated locally by OpenIddict, from
    /// the Authorization header only); <see cref="AuthorizationPolicies.Admin"/> also the <c>admin</c> role and the
    /// <c>admin</c> scope; <see cref="AuthorizationPolicies.SelfOrAdmin"/> the user the route's <c>{id}</c> names, or both.
    /// </summary>
    public static IHostApplicationBuilder AddApiAuthorization(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthorizationPolicies.AccessToken, policy => AccessToken(policy))
            .AddPolicy(AuthorizationPolicies.Admin, policy => AccessToken(policy).RequireAssertion(context => IsAdministrator(context.User)))
            .AddPolicy(AuthorizationPolicies.SelfOrAdmin, policy => AccessToken(policy).RequireAssertion(context =>
                IsAdministrator(context.User) ||
                (context.Resource is HttpContext http && http.GetRouteValue("id") is string id &&
                 id == context.User.GetClaim(Claims.Subject))));
        return builder;
    }

    /// <summary>An administrator's token for administration: the <c>admin</c> role and the <c>admin</c> scope.</summary>
    private static bool IsAdministrator(ClaimsPrincipal user) =>
        user.HasClaim(Claims.Role, Roles.Admin) && user.HasScope(IdentityHostScopes.Admin);

    private static AuthorizationPolicyBuilder AccessToken(AuthorizationPolicyBuilder policy) =>
        policy.AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).RequireAuthenticatedUser();
}
