using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>Fails start-up on a client configuration that cannot work, naming the offending key.</summary>
internal sealed class ClientRegistrationValidator(IOptions<ApiResourceOptions> apis) : IValidateOptions<ClientRegistrationOptions>
{
    /// <summary>The grant types a configured client may be allowed.</summary>
    public static IReadOnlyList<string> SupportedGrantTypes { get; } =
    [
        GrantTypes.AuthorizationCode, GrantTypes.Password, GrantTypes.RefreshToken, GrantTypes.ClientCredentials,
        GrantTypes.DeviceCode, GrantTypes.TokenExchange,
    ];

    public ValidateOptionsResult Validate(string? name, ClientRegistrationOptions options)
    {
        var failures = new List<string>();
        for (var index = 0; index < options.Clients.Count; index++)
        {
            var client = options.Clients[index];
            var key = client.ConfigurationKey ?? $"OpenIddict:Clients:{index}";
            failures.AddRange(Check(client, apis.Value, field => $"{key}:{field}").Select(problem => problem.Message));
        }

        failures.AddRange(options.Clients.GroupBy(client => client.ClientId, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => $"OpenIddict:Clients names '{group.Key}' more than once."));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// What is wrong with <paramref name="client"/>, each problem under the field it is about (named by
    /// <paramref name="name"/> from the setting's path, for example <c>RedirectUris:0</c>): the one set of rules for clients
    /// in configuration and for those the administration API makes.
    /// </summary>
    public static IEnumerable<ClientProblem> Check(ClientRegistration client, ApiResourceOptions apis, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(apis);
        ArgumentNullException.ThrowIfNull(name);
        var problems = new List<ClientProblem>();
        void Add(string field, string message) => problems.Add(new ClientProblem(name(field), message));

        if (string.IsNullOrWhiteSpace(client.ClientId))
        {
            Add("ClientId", $"{name("ClientId")} is required.");
        }

        foreach (var grant in client.GrantTypes.Except(SupportedGrantTypes, StringComparer.Ordinal))
        {
            Add("GrantTypes", $"{name("GrantTypes")} has '{grant}'; supported: {string.Join(", ", SupportedGrantTypes)}.");
        }

        var confidential = !string.IsNullOrEmpty(client.ClientSecret) || HasKeys(client);
        foreach (var grant in new[] { GrantTypes.ClientCredentials, GrantTypes.TokenExchange })
        {
            if (client.GrantTypes.Contains(grant) && !confidential)
            {
                Add("ClientSecret", $"{name("ClientSecret")} (or Jwks or JwksUri) is required for the {grant} grant (a confidential client).");
            }
        }

        if (!string.IsNullOrEmpty(client.Jwks) && !string.IsNullOrEmpty(client.JwksUri))
        {
            Add("Jwks", $"{name("Jwks")} and {name("JwksUri")} must not both be set.");
        }

        if (!string.IsNullOrEmpty(client.Jwks) && ParseKeySetProblem(client.Jwks) is { } problem)
        {
            Add("Jwks", $"{name("Jwks")} {problem}");
        }

        if (!string.IsNullOrEmpty(client.JwksUri) && !IsFetchableUri(client.JwksUri))
        {
            Add("JwksUri", $"{name("JwksUri")} must be an absolute https URI (http only for a loopback host).");
        }

        foreach (var audience in client.TokenExchangeAudiences.Where(audience => apis.FindByName(audience) is null))
        {
            Add("TokenExchangeAudiences", $"{name("TokenExchangeAudiences")} has '{audience}', which is not an API of OpenIddict:Apis " +
                                          $"(known: {string.Join(", ", apis.All.Select(api => api.Name))}).");
        }

        if (client.TokenExchangeAudiences.Count > 0 && !client.GrantTypes.Contains(GrantTypes.TokenExchange))
        {
            Add("TokenExchangeAudiences", $"{name("TokenExchangeAudiences")} is set, but {name("GrantTypes")} lacks {GrantTypes.TokenExchange}.");
        }

        if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode) && client.RedirectUris.Count == 0)
        {
            Add("RedirectUris", $"{name("RedirectUris")} needs at least one URI for the authorization_code grant.");
        }

        for (var position = 0; position < client.RedirectUris.Count; position++)
        {
            if (!IsValidRedirectUri(client.RedirectUris[position]))
            {
                Add($"RedirectUris:{position}", $"{name($"RedirectUris:{position}")} must be an absolute URI without a fragment or wildcard.");
            }
        }

        for (var position = 0; position < client.PostLogoutRedirectUris.Count; position++)
        {
            if (!IsValidRedirectUri(client.PostLogoutRedirectUris[position]))
            {
                Add($"PostLogoutRedirectUris:{position}",
                    $"{name($"PostLogoutRedirectUris:{position}")} must be an absolute URI without a fragment or wildcard.");
            }
        }

        for (var position = 0; position < client.AllowedCorsOrigins.Count; position++)
        {
            if (Origins.Normalize(client.AllowedCorsOrigins[position]) is null)
            {
                Add($"AllowedCorsOrigins:{position}", $"{name($"AllowedCorsOrigins:{position}")} must be an origin (scheme://host[:port], " +
                    "http or https) without a path, query, fragment or wildcard.");
            }
        }

        foreach (var scope in client.Scopes.Except(IdentityHostScopes.All, StringComparer.Ordinal))
        {
            Add("Scopes", $"{name("Scopes")} has '{scope}'; supported: {string.Join(", ", IdentityHostScopes.All)}.");
        }

        return problems;
    }

    private static bool HasKeys(ClientRegistration client) => !string.IsNullOrEmpty(client.Jwks) || !string.IsNullOrEmpty(client.JwksUri);

    /// <summary>What is wrong with an inline key set, or null: it must parse, hold a signing key, and hold no private key.</summary>
    private static string? ParseKeySetProblem(string json)
    {
        try
        {
            var set = new JsonWebKeySet(json);
            if (set.Keys.Count == 0)
            {
                return "holds no key.";
            }

            // Note: a client's private key in the server's configuration would let the server (and its backups) sign as
            // the client.
            return set.Keys.Any(key => new[] { key.D, key.P, key.Q, key.DP, key.DQ, key.QI, key.K }.Any(part => !string.IsNullOrEmpty(part)))
                ? "must hold public keys only (it has a private or symmetric key)."
                : null;
        }
        catch (ArgumentException exception)
        {
            return "is not a JSON Web Key Set: " + exception.Message;
        }
    }

    private static bool IsFetchableUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Fragment.Length == 0 &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    // Note: redirect URIs are compared exactly (RFC 9700 section 4.1.3), so a wildcard could only ever be a mistake.
    private static bool IsValidRedirectUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && !IsImplicitFileUri(value, uri) && uri.Fragment.Length == 0 &&
        !value.Contains('*', StringComparison.Ordinal);

    // Note: on Linux and macOS, Uri reads a path such as "/signin-oidc" as the absolute file:///signin-oidc, so a
    // relative redirect URI passed as absolute; OpenIddict refuses such URIs later, without naming the key.
    private static bool IsImplicitFileUri(string value, Uri uri) =>
        uri.IsFile && !value.StartsWith(uri.Scheme, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One thing wrong with a client's settings.</summary>
/// <param name="Field">The setting it is about, as the caller names settings.</param>
/// <param name="Message">What is wrong, naming the setting.</param>
internal readonly record struct ClientProblem(string Field, string Message);
