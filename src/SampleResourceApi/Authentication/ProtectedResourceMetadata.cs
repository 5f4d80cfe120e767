using Microsoft.Extensions.Options;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728): what a client needs to call this API, at
/// <c>/.well-known/oauth-protected-resource</c>: its resource identifier, the authorization server that issues its
/// tokens, its scope, how tokens are sent and how they are signed.
/// </summary>
public static class ProtectedResourceMetadata
{
    /// <summary>The well-known path segment RFC 9728 section 3 registers.</summary>
    public const string WellKnownPath = "/.well-known/oauth-protected-resource";

    private static readonly string[] Scopes = ["api"];
    private static readonly string[] BearerMethods = ["header"];
    private static readonly string[] SigningAlgorithms = ["RS256", "ES256"];

    /// <summary>
    /// Maps <c>GET /.well-known/oauth-protected-resource</c> (with the resource identifier's path after it, when the
    /// configured identifier has one) to this API's metadata document.
    /// </summary>
    public static IEndpointRouteBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(WellKnownPath, Answer).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(WellKnownPath + "/{**path}", Answer).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>Whether <paramref name="identifier"/> may name a protected resource (RFC 9728 section 1.2).</summary>
    public static bool IsValidIdentifier(Uri identifier) =>
        identifier is { IsAbsoluteUri: true, Scheme: "https" or "http", Query.Length: 0, Fragment.Length: 0 };

    /// <summary>The resource identifier: the configured one, else the URL the request reached this API at.</summary>
    public static Uri IdentifierOf(HttpContext context, ResourceApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return options.ResourceIdentifier ??
            new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/", UriKind.Absolute);
    }

    /// <summary>
    /// Where the metadata of <paramref name="identifier"/> is (RFC 9728 section 3.1): the well-known path between its
    /// host and its path, a path of <c>/</c> left out.
    /// </summary>
    public static Uri DocumentUrl(Uri identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var path = identifier.AbsolutePath == "/" ? string.Empty : identifier.AbsolutePath.TrimEnd('/');
        return new Uri(identifier.GetLeftPart(UriPartial.Authority) + WellKnownPath + path, UriKind.Absolute);
    }

    private static IResult Answer(HttpContext context, IOptions<ResourceApiOptions> options)
    {
        var api = options.Value;
        var identifier = IdentifierOf(context, api);
        // Note: the document lives at one address only, the one its identifier gives (RFC 9728 section 3.3).
        if (!string.Equals(DocumentUrl(identifier).AbsolutePath, context.Request.PathBase + context.Request.Path, StringComparison.Ordinal))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Json(new Dictionary<string, object>
        {
            ["resource"] = identifier.AbsoluteUri,
            ["authorization_servers"] = new[] { api.Authority!.AbsoluteUri },
            ["scopes_supported"] = Scopes,
            // Note: the Authorization header only; a token in a query string or form ends up in logs (RFC 9700 4.3.2).
            ["bearer_methods_supported"] = BearerMethods,
            ["resource_signing_alg_values_supported"] = SigningAlgorithms,
        });
    }
}
