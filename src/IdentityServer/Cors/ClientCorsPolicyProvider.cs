using System.Collections.Frozen;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityHost.IdentityServer.Cors;

/// <summary>
/// Which cross-origin requests a browser may make, decided by the OAuth endpoint the request is for: discovery and JWKS
/// are public (any origin); the endpoints a browser app calls with <c>fetch</c> (token, revocation, userinfo, device
/// authorization, pushed authorization) admit the origins of registered clients (<see cref="ClientOrigins"/>); anything
/// else takes no part in CORS. No policy allows credentials: these endpoints use no cookies.
/// </summary>
/// <remarks>
/// Note: the endpoints are read from OpenIddict's own options, so an endpoint OpenIddict is configured to answer later
/// (<c>/connect/device</c>, <c>/connect/par</c>) is covered without a change here. The authorization, end-session and
/// verification endpoints are navigations, not <c>fetch</c> calls, and introspection is for confidential clients,
/// which are servers; none of them answers cross-origin reads.
/// </remarks>
internal sealed class ClientCorsPolicyProvider(ClientOrigins origins, IOptions<OpenIddictServerOptions> server) : ICorsPolicyProvider
{
    private static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Discovery and JWKS: any origin may read them, as any party may fetch them from a server.</summary>
    private static readonly CorsPolicy Public = new CorsPolicyBuilder()
        .AllowAnyOrigin()
        .WithMethods(HttpMethods.Get)
        .AllowAnyHeader()
        .SetPreflightMaxAge(PreflightMaxAge)
        .Build();

    /// <summary>
    /// The request's origin was found among the clients' (checked before this policy is handed out), so it is echoed
    /// back, with <c>Vary: Origin</c>.
    /// </summary>
    private static readonly CorsPolicy RegisteredOrigin = new CorsPolicyBuilder()
        .SetIsOriginAllowed(_ => true)
        .WithMethods(HttpMethods.Get, HttpMethods.Post)
        .WithHeaders("Authorization", "Content-Type", "DPoP")
        .WithExposedHeaders("WWW-Authenticate", "Retry-After", "DPoP-Nonce")
        .SetPreflightMaxAge(PreflightMaxAge)
        .Build();

    /// <summary>An origin no client runs on: a preflight is answered 204 with no CORS header, so the browser stops there.</summary>
    private static readonly CorsPolicy UnknownOrigin = new CorsPolicyBuilder().SetIsOriginAllowed(_ => false).Build();

    private readonly Lazy<(FrozenSet<string> Public, FrozenSet<string> ForClients)> _paths = new(() => (
        PathsOf(server.Value.ConfigurationEndpointUris, server.Value.JsonWebKeySetEndpointUris),
        PathsOf(server.Value.TokenEndpointUris, server.Value.RevocationEndpointUris, server.Value.UserInfoEndpointUris,
            server.Value.DeviceAuthorizationEndpointUris, server.Value.PushedAuthorizationEndpointUris)));

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value?.TrimEnd('/') ?? string.Empty;
        if (_paths.Value.Public.Contains(path))
        {
            return Public;
        }

        if (!_paths.Value.ForClients.Contains(path))
        {
            return null;
        }

        return await origins.IsAllowedAsync(context.Request.Headers.Origin.ToString(), context.RequestAborted)
            ? RegisteredOrigin
            : UnknownOrigin;
    }

    // Note: OpenIddict matches endpoint paths ignoring case and a trailing slash; so does this.
    private static FrozenSet<string> PathsOf(params IEnumerable<Uri>[] endpoints) =>
        endpoints.SelectMany(uris => uris)
            .Select(uri => (uri.IsAbsoluteUri ? uri.AbsolutePath : "/" + uri.OriginalString.TrimStart('/')).TrimEnd('/'))
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
