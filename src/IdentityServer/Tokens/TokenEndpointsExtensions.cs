using IdentityHost.IdentityServer.Common;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>Maps the OAuth endpoints that hand out and describe tokens.</summary>
public static class TokenEndpointsExtensions
{
    /// <summary>
    /// Maps <c>POST /connect/token</c> (password, authorization_code, refresh_token and client_credentials grants; password
    /// grants count against the password-check rate limit, the other grants against the token-request limit) and <c>GET/POST /connect/userinfo</c>. Revocation,
    /// introspection, discovery and JWKS are answered by OpenIddict itself.
    /// </summary>
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(RouteNames.TokenPath, TokenEndpoint.ExchangeAsync)
            .RequireRateLimiting(RateLimitPolicies.PasswordCheck)
            .WithMetadata(RateLimitPolicies.ByGrantType)
            .ExcludeFromDescription();
        endpoints.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoEndpoint.AnswerAsync)
            .ExcludeFromDescription();
        return endpoints;
    }
}
