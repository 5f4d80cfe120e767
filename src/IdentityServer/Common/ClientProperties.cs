namespace IdentityHost.IdentityServer.Common;

/// <summary>The names of the settings IdentityHost keeps in a client's (OpenIddict application's) properties.</summary>
public static class ClientProperties
{
    /// <summary>The URI the client's JSON Web Key Set is fetched from, for <c>private_key_jwt</c>.</summary>
    public const string JwksUri = "jwks_uri";

    /// <summary>
    /// The client's <c>AllowedCorsOrigins</c>, a JSON array of origins (<c>https://app.example</c>). Note: stored with
    /// the client, so every node sharing the database allows the same origins.
    /// </summary>
    public const string AllowedCorsOrigins = "identityhost_allowed_cors_origins";

    /// <summary>The audiences the client may exchange tokens for (RFC 8693).</summary>
    public const string TokenExchangeAudiences = "token_exchange_audiences";

    /// <summary>Where the client came from: <c>configuration</c> or <c>api</c> (Clients.ClientSources).</summary>
    public const string Source = "identityhost_source";

    /// <summary>Whether the client's users must sign in with a second factor (<c>RequireMfa</c>), JSON <c>true</c> when set.</summary>
    public const string RequireMfa = "identityhost_require_mfa";
}
