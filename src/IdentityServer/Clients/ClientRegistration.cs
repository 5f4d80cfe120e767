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

    /// <summary>Grant types the client may use: <c>password</c>, <c>refresh_token</c>.</summary>
    public List<string> GrantTypes { get; set; } = [];

    /// <summary>Scopes the client may ask for, among <c>openid profile roles offline_access api</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}
