using IdentityHost.IdentityServer.Clients;
using Grants = OpenIddict.Abstractions.OpenIddictConstants.GrantTypes;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>A client's settings as the console's forms post them: lists one entry per line.</summary>
public sealed class ClientForm
{
    /// <summary>The grant types the form offers.</summary>
    public static readonly IReadOnlyList<string> GrantTypeChoices =
    [
        Grants.AuthorizationCode, Grants.RefreshToken, Grants.ClientCredentials, Grants.DeviceCode, Grants.TokenExchange, Grants.Password,
    ];

    public string? ClientId { get; set; }

    public string? DisplayName { get; set; }

    public bool Confidential { get; set; }

    public List<string> GrantTypes { get; set; } = [];

    public List<string> Scopes { get; set; } = [];

    public string? RedirectUris { get; set; }

    public string? PostLogoutRedirectUris { get; set; }

    public string? AllowedCorsOrigins { get; set; }

    public bool ThirdParty { get; set; }

    public bool RequirePushedAuthorizationRequests { get; set; }

    public bool RequireMfa { get; set; }

    public string? Jwks { get; set; }

    public string? JwksUri { get; set; }

    /// <summary>The form for the stored <paramref name="client"/>.</summary>
    public static ClientForm For(ClientView client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var settings = client.Settings;
        return new ClientForm
        {
            ClientId = settings.ClientId,
            DisplayName = settings.DisplayName,
            Confidential = client.Confidential,
            GrantTypes = [.. settings.GrantTypes],
            Scopes = [.. settings.Scopes],
            RedirectUris = string.Join('\n', settings.RedirectUris),
            PostLogoutRedirectUris = string.Join('\n', settings.PostLogoutRedirectUris),
            AllowedCorsOrigins = string.Join('\n', settings.AllowedCorsOrigins),
            ThirdParty = settings.ThirdParty,
            RequirePushedAuthorizationRequests = settings.RequirePushedAuthorizationRequests,
            RequireMfa = settings.RequireMfa,
            JwksUri = settings.JwksUri,
        };
    }

    /// <summary>The settings this form names, for <paramref name="clientId"/>.</summary>
    public ClientRegistration ToRegistration(string clientId, IReadOnlyList<string> tokenExchangeAudiences) => new()
    {
        ClientId = clientId,
        DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim(),
        GrantTypes = [.. GrantTypes.Distinct(StringComparer.Ordinal)],
        Scopes = [.. Scopes.Distinct(StringComparer.Ordinal)],
        RedirectUris = Lines(RedirectUris),
        PostLogoutRedirectUris = Lines(PostLogoutRedirectUris),
        AllowedCorsOrigins = Lines(AllowedCorsOrigins),
        ThirdParty = ThirdParty,
        RequirePushedAuthorizationRequests = RequirePushedAuthorizationRequests,
        RequireMfa = RequireMfa,
        TokenExchangeAudiences = [.. tokenExchangeAudiences],
        Jwks = string.IsNullOrWhiteSpace(Jwks) ? null : Jwks.Trim(),
        JwksUri = string.IsNullOrWhiteSpace(JwksUri) ? null : JwksUri.Trim(),
    };

    private static List<string> Lines(string? text) =>
        [.. (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
