namespace IdentityHost.IdentityServer.Clients;

/// <summary>Web origins (RFC 6454) as browsers send them in the <c>Origin</c> header: <c>scheme://host[:port]</c>.</summary>
public static class Origins
{
    /// <summary>
    /// <paramref name="value"/> as a browser would send it (scheme and host in lower case, no default port), if it is an
    /// http or https origin and nothing more: no path (not even <c>/</c>), query, fragment, user information or wildcard;
    /// otherwise null.
    /// </summary>
    public static string? Normalize(string value) =>
        !string.IsNullOrEmpty(value) && !value.Contains('*', StringComparison.Ordinal) && !value.EndsWith('/') &&
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" &&
        uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 &&
        !value.Contains('?', StringComparison.Ordinal) && !value.Contains('#', StringComparison.Ordinal)
            ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)
            : null;

    /// <summary>The origin of an http or https URI (a redirect URI), or null for another scheme (a native app's).</summary>
    public static string? Of(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsAbsoluteUri && uri.Scheme is "http" or "https"
            ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)
            : null;
    }
}
