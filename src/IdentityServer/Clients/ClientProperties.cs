namespace IdentityHost.IdentityServer.Clients;

/// <summary>The names of the settings a client keeps in its OpenIddict application's <c>Properties</c>.</summary>
public static class ClientProperties
{
    /// <summary>
    /// The client's <c>AllowedCorsOrigins</c>, a JSON array of origins (<c>https://app.example</c>). Note: stored with
    /// the client, so every node sharing the database allows the same origins.
    /// </summary>
    public const string AllowedCorsOrigins = "identityhost_allowed_cors_origins";
}
