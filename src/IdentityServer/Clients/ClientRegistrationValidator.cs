using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>Fails start-up on a client configuration that cannot work, naming the offending key.</summary>
internal sealed class ClientRegistrationValidator : IValidateOptions<ClientRegistrationOptions>
{
    /// <summary>The grant types a configured client may be allowed.</summary>
    public static IReadOnlyList<string> SupportedGrantTypes { get; } =
        [GrantTypes.AuthorizationCode, GrantTypes.Password, GrantTypes.RefreshToken, GrantTypes.ClientCredentials];

    public ValidateOptionsResult Validate(string? name, ClientRegistrationOptions options)
    {
        var failures = new List<string>();
        for (var index = 0; index < options.Clients.Count; index++)
        {
            var client = options.Clients[index];
            var key = client.ConfigurationKey ?? $"OpenIddict:Clients:{index}";
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                failures.Add($"{key}:ClientId is required.");
            }

            failures.AddRange(client.GrantTypes.Except(SupportedGrantTypes, StringComparer.Ordinal)
                .Select(grant => $"{key}:GrantTypes has '{grant}'; supported: {string.Join(", ", SupportedGrantTypes)}."));
            if (client.GrantTypes.Contains(GrantTypes.ClientCredentials) && string.IsNullOrEmpty(client.ClientSecret))
            {
                failures.Add($"{key}:ClientSecret is required for the client_credentials grant (a confidential client).");
            }

            if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode) && client.RedirectUris.Count == 0)
            {
                failures.Add($"{key}:RedirectUris needs at least one URI for the authorization_code grant.");
            }

            failures.AddRange(client.RedirectUris.Select((uri, position) => (uri, position))
                .Where(entry => !IsValidRedirectUri(entry.uri))
                .Select(entry => $"{key}:RedirectUris:{entry.position} must be an absolute URI without a fragment or wildcard."));
            failures.AddRange(client.PostLogoutRedirectUris.Select((uri, position) => (uri, position))
                .Where(entry => !IsValidRedirectUri(entry.uri))
                .Select(entry => $"{key}:PostLogoutRedirectUris:{entry.position} must be an absolute URI without a fragment or wildcard."));

            failures.AddRange(client.AllowedCorsOrigins.Select((origin, position) => (origin, position))
                .Where(entry => Origins.Normalize(entry.origin) is null)
                .Select(entry => $"{key}:AllowedCorsOrigins:{entry.position} must be an origin (scheme://host[:port], http or https) " +
                    "without a path, query, fragment or wildcard."));

            failures.AddRange(client.Scopes.Except(IdentityHostScopes.All, StringComparer.Ordinal)
                .Select(scope => $"{key}:Scopes has '{scope}'; supported: {string.Join(", ", IdentityHostScopes.All)}."));
        }

        failures.AddRange(options.Clients.GroupBy(client => client.ClientId, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => $"OpenIddict:Clients names '{group.Key}' more than once."));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Note: redirect URIs are compared exactly (RFC 9700 section 4.1.3), so a wildcard could only ever be a mistake.
    private static bool IsValidRedirectUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && !IsImplicitFileUri(value, uri) && uri.Fragment.Length == 0 &&
        !value.Contains('*', StringComparison.Ordinal);

    // Note: on Linux and macOS, Uri reads a path such as "/signin-oidc" as the absolute file:///signin-oidc, so a
    // relative redirect URI passed as absolute; OpenIddict refuses such URIs later, without naming the key.
    private static bool IsImplicitFileUri(string value, Uri uri) =>
        uri.IsFile && !value.StartsWith(uri.Scheme, StringComparison.OrdinalIgnoreCase);
}
