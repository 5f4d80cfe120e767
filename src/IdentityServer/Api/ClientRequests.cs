using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityHost.IdentityServer.Clients;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// The body of <c>POST /api/clients</c> and <c>PUT /api/clients/{clientId}</c>: a client's settings, named as in
/// <c>OpenIddict:Clients</c>. Lists left out are empty. On PUT the client id and type come from the stored client, and
/// keys left out (<c>jwks</c>, <c>jwksUri</c>) stay as they are.
/// </summary>
/// <param name="ClientId">On POST: letters, digits and <c>. _ ~ -</c>, at most 100.</param>
/// <param name="DisplayName">Shown on the consent page and the account page.</param>
/// <param name="Confidential">On POST: true for a client that authenticates; it gets a secret unless it has keys.</param>
/// <param name="GrantTypes">As <c>OpenIddict:Clients:n:GrantTypes</c>.</param>
/// <param name="Scopes">As <c>OpenIddict:Clients:n:Scopes</c>.</param>
/// <param name="RedirectUris">Absolute URIs, matched exactly.</param>
/// <param name="PostLogoutRedirectUris">Absolute URIs, matched exactly.</param>
/// <param name="AllowedCorsOrigins">Origins besides the redirect URIs' that browser apps may call from.</param>
/// <param name="ThirdParty">Users are asked to consent.</param>
/// <param name="RequirePushedAuthorizationRequests">Authorization requests must be pushed first (RFC 9126).</param>
/// <param name="TokenExchangeAudiences">The API names this client may exchange tokens for (RFC 8693).</param>
/// <param name="RequireMfa">The client's users must sign in with a second factor.</param>
/// <param name="Jwks">Public keys for <c>private_key_jwt</c>, as a JSON Web Key Set object.</param>
/// <param name="JwksUri">Where the client publishes its keys, instead of <paramref name="Jwks"/>.</param>
public sealed record ClientRequest(
    [property: MaxLength(100, ErrorMessage = "The client id is at most 100 characters.")]
    [property: RegularExpression("^[A-Za-z0-9._~-]+$", ErrorMessage = "The client id may hold only letters, digits and . _ ~ -.")]
    string? ClientId,
    [property: MaxLength(200, ErrorMessage = "The display name is at most 200 characters.")] string? DisplayName,
    bool? Confidential,
    IReadOnlyList<string>? GrantTypes,
    IReadOnlyList<string>? Scopes,
    IReadOnlyList<string>? RedirectUris,
    IReadOnlyList<string>? PostLogoutRedirectUris,
    IReadOnlyList<string>? AllowedCorsOrigins,
    bool? ThirdParty,
    bool? RequirePushedAuthorizationRequests,
    IReadOnlyList<string>? TokenExchangeAudiences,
    JsonElement? Jwks,
    string? JwksUri,
    bool? RequireMfa = null)
{
    /// <summary>The settings this body names, for <paramref name="clientId"/>.</summary>
    public ClientRegistration ToRegistration(string clientId) => new()
    {
        ClientId = clientId,
        DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim(),
        GrantTypes = [.. GrantTypes ?? []],
        Scopes = [.. Scopes ?? []],
        RedirectUris = [.. RedirectUris ?? []],
        PostLogoutRedirectUris = [.. PostLogoutRedirectUris ?? []],
        AllowedCorsOrigins = [.. AllowedCorsOrigins ?? []],
        ThirdParty = ThirdParty ?? false,
        RequirePushedAuthorizationRequests = RequirePushedAuthorizationRequests ?? false,
        TokenExchangeAudiences = [.. TokenExchangeAudiences ?? []],
        Jwks = Jwks is { ValueKind: JsonValueKind.Object } keys ? keys.GetRawText() : null,
        JwksUri = string.IsNullOrWhiteSpace(JwksUri) ? null : JwksUri.Trim(),
        RequireMfa = RequireMfa ?? false,
    };
}

/// <summary>A client as the API shows it. <c>clientSecret</c> is there only in the answer that made it, once.</summary>
public sealed record ClientResponse(
    string ClientId,
    string? DisplayName,
    string Source,
    bool Confidential,
    bool HasSecret,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> AllowedCorsOrigins,
    bool ThirdParty,
    bool RequirePushedAuthorizationRequests,
    IReadOnlyList<string> TokenExchangeAudiences,
    string? JwksUri,
    IReadOnlyList<string> KeyIds,
    bool RequireMfa,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret = null)
{
    /// <summary>The answer for <paramref name="client"/>, with <paramref name="secret"/> when one was just made.</summary>
    public static ClientResponse For(ClientView client, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var settings = client.Settings;
        return new(settings.ClientId, settings.DisplayName, client.Source, client.Confidential, client.HasSecret, settings.GrantTypes,
            settings.Scopes, settings.RedirectUris, settings.PostLogoutRedirectUris, settings.AllowedCorsOrigins, settings.ThirdParty,
            settings.RequirePushedAuthorizationRequests, settings.TokenExchangeAudiences, settings.JwksUri, client.KeyIds, settings.RequireMfa, secret);
    }
}

/// <summary>A page of clients in order of their id.</summary>
public sealed record ClientPageResponse(IReadOnlyList<ClientResponse> Items, int Page, int PageSize, long Total);
