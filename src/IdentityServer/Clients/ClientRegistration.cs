namespace IdentityHost.IdentityServer.Clients;

/// <summary>One entry of <c>OpenIddict:Clients</c>: an application allowed to ask for tokens.</summary>
public sealed class ClientRegistration
{
    public string ClientId { get; set; } = string.Empty;

    /// <summary>
    /// The secret of a confidential client, from user-secrets or the environment; stored hashed.
    /// Leave it unset for a public client (Postman, SPAs, native apps).
    /// </summary>
    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>
    /// Grant types the client may use: <c>authorization_code</c> (with PKCE), <c>refresh_token</c>,
    /// <c>client_credentials</c> (confidential clients) and <c>password</c> (deprecated by RFC 9700).
    /// </summary>
    public List<string> GrantTypes { get; set; } = [];

    /// <summary>
    /// Where the authorization endpoint may send the user back (authorization_code): absolute URIs, matched
    /// exactly (no wildcard, no prefix match).
    /// </summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>Where end-session may send the user after signing out, matched exactly.</summary>
    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>
    /// A client not run by whoever runs this server: users are asked to consent before it gets their tokens.
    /// First-party clients (the default) skip the consent page.
    /// </summary>
    public bool ThirdParty { get; set; }

    /// <summary>
    /// Origins (<c>https://app.example</c>, no path) besides those of <see cref="RedirectUris"/> from which a browser app
    /// of this client may call the token, revocation and userinfo endpoints with <c>fetch</c> (CORS).
    /// </summary>
    public List<string> AllowedCorsOrigins { get; set; } = [];

    /// <summary>Scopes the client may ask for, among <c>openid profile roles offline_access api</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>
    /// The configuration key this client was read from (<c>OpenIddict:Clients:20</c>), for messages; null for a
    /// client made in code. Not itself a setting: the binder sets public setters only.
    /// </summary>
    public string? ConfigurationKey { get; internal set; }
}
