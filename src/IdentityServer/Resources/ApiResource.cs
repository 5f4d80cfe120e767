namespace IdentityHost.IdentityServer.Resources;

/// <summary>
/// An API that trusts this server's access tokens: one entry of <c>OpenIddict:Apis</c>, or the built-in one behind the
/// <c>api</c> scope (named by <c>OpenIddict:ApiAudience</c>).
/// </summary>
public sealed class ApiResource
{
    /// <summary>The audience (<c>aud</c>) of access tokens for this API: what the API checks, e.g. <c>resource_api</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The API's resource indicator (RFC 8707): the absolute URI a client names in <c>resource</c> to get a token for
    /// it alone, usually the API's base URL (and what its RFC 9728 metadata calls <c>resource</c>). Optional: without
    /// one, the API is reached through its scopes or a token exchange.
    /// </summary>
    public Uri? Uri { get; set; }

    /// <summary>The scopes that grant this API (an access token granted one of them carries its audience).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The configuration key this API was read from, for messages; null for the built-in one.</summary>
    public string? ConfigurationKey { get; internal set; }
}
