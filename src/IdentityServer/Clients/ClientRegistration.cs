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
    /// <c>client_credentials</c> (confidential clients), <c>password</c> (deprecated by RFC 9700),
    /// <c>urn:ietf:params:oauth:grant-type:device_code</c> (RFC 8628, devices without a browser) and
    /// <c>urn:ietf:params:oauth:grant-type:token-exchange</c> (RFC 8693, confidential clients, to the audiences of
    /// <see cref="TokenExchangeAudiences"/>).
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
    /// The client's public keys as a JSON Web Key Set (inline JSON), for <c>private_key_jwt</c> authentication
    /// (RFC 7523): the client signs an assertion with its private key instead of sending a secret. Makes the client
    /// confidential. Give this or <see cref="JwksUri"/>, not both.
    /// </summary>
    public string? Jwks { get; set; }

    /// <summary>
    /// Where the client publishes its JSON Web Key Set for <c>private_key_jwt</c>: fetched when an assertion must be
    /// checked and kept for five minutes, so a new key of the client's is accepted within five minutes of its
    /// publication. An absolute https URI (http only for a loopback host). Makes the client confidential.
    /// </summary>
    public string? JwksUri { get; set; }

    /// <summary>
    /// Whether the client must push its authorization requests (RFC 9126) to <c>/connect/par</c> first and send only the
    /// <c>request_uri</c> to the authorization endpoint.
    /// </summary>
    public bool RequirePushedAuthorizationRequests { get; set; }

    /// <summary>
    /// Whether the client's users must sign in with a second factor: the sign-in asks for it (or for enrolment), and the
    /// password grant refuses users without one (<c>mfa_required</c>).
    /// </summary>
    public bool RequireMfa { get; set; }

    /// <summary>
    /// The audiences (API names of <c>OpenIddict:Apis</c>) this client may ask for when it exchanges a user's access
    /// token (RFC 8693); exchanges to any other audience are refused and audited.
    /// </summary>
    public List<string> TokenExchangeAudiences { get; set; } = [];

    /// <summary>
    /// The configuration key this client was read from (<c>OpenIddict:Clients:20</c>), for messages; null for a
    /// client made in code. Not itself a setting: the binder sets public setters only.
    /// </summary>
    public string? ConfigurationKey { get; internal set; }
}
