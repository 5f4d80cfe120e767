using System.Text.Json;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Resources;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>Where a stored client came from, kept in its properties.</summary>
public static class ClientSources
{
    /// <summary>From <c>OpenIddict:Clients</c>: kept in step at start-up, read-only at run time.</summary>
    public const string Configuration = "configuration";

    /// <summary>Made through the administration API (or console): lives in the database only.</summary>
    public const string Api = "api";

    /// <summary>The source named in <paramref name="properties"/>; clients stored before sources were recorded came from configuration.</summary>
    public static string Of(IReadOnlyDictionary<string, JsonElement> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return properties.TryGetValue(ClientProperties.Source, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : Configuration;
    }
}

/// <summary>
/// The one translation between a client's settings (<see cref="ClientRegistration"/>) and what OpenIddict stores
/// (<see cref="OpenIddictApplicationDescriptor"/>): permissions, requirements and properties, both ways.
/// </summary>
internal static class ClientDescriptors
{
    /// <summary>The key id of the stand-in key a client with a <c>JwksUri</c> is stored with.</summary>
    public const string PlaceholderKeyId = "unusable-placeholder";

    /// <summary>What OpenIddict stores for <paramref name="client"/>, marked as coming from <paramref name="source"/>.</summary>
    public static OpenIddictApplicationDescriptor ToDescriptor(ClientRegistration client, ApiResourceOptions apis, string source)
    {
        var confidential = !string.IsNullOrEmpty(client.ClientSecret) || !string.IsNullOrEmpty(client.Jwks) ||
                           !string.IsNullOrEmpty(client.JwksUri);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = string.IsNullOrEmpty(client.ClientSecret) ? null : client.ClientSecret,
            ClientType = confidential ? ClientTypes.Confidential : ClientTypes.Public,
            DisplayName = client.DisplayName ?? client.ClientId,
            // Note: first-party clients are trusted like the server itself; third-party ones need the user's consent.
            ConsentType = client.ThirdParty ? ConsentTypes.Explicit : ConsentTypes.Implicit,
            // Note: the keys a client signs its private_key_jwt assertions with (RFC 7523); fetched ones are cached by
            // CachingApplicationManager.
            JsonWebKeySet = string.IsNullOrEmpty(client.Jwks) ? null : new JsonWebKeySet(client.Jwks),
        };

        descriptor.Properties[ClientProperties.Source] = JsonSerializer.SerializeToElement(source);
        if (!string.IsNullOrEmpty(client.JwksUri))
        {
            descriptor.Properties[ClientProperties.JwksUri] = JsonSerializer.SerializeToElement(client.JwksUri);
            // Note: OpenIddict will not store a confidential client with neither a secret nor a key. The keys of a client
            // with a JwksUri are always read from there (CachingApplicationManager), so the stored set holds only the
            // public half of a key made here and thrown away: no one can sign with it, and it is never consulted.
            descriptor.JsonWebKeySet = UnusableKeySet();
        }

        if (client.RequireMfa)
        {
            descriptor.Properties[ClientProperties.RequireMfa] = JsonSerializer.SerializeToElement(true);
        }

        if (client.TokenExchangeAudiences.Count > 0)
        {
            descriptor.Properties[ClientProperties.TokenExchangeAudiences] = JsonSerializer.SerializeToElement(client.TokenExchangeAudiences);
        }

        if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.Endpoints.PushedAuthorization);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            // Note: PKCE for every client, confidential ones included (RFC 9700 section 2.1.1).
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            if (client.RequirePushedAuthorizationRequests)
            {
                descriptor.Requirements.Add(Requirements.Features.PushedAuthorizationRequests);
            }
        }

        if (client.GrantTypes.Contains(GrantTypes.DeviceCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.DeviceAuthorization);
        }

        foreach (var uri in client.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        foreach (var uri in client.PostLogoutRedirectUris)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        if (client.AllowedCorsOrigins.Count > 0)
        {
            descriptor.Properties[ClientProperties.AllowedCorsOrigins] = JsonSerializer.SerializeToElement(
                client.AllowedCorsOrigins.Select(origin => Origins.Normalize(origin)!).Distinct(StringComparer.Ordinal).ToArray());
        }

        if (client.GrantTypes.Count > 0)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Token);
            descriptor.Permissions.Add(Permissions.Endpoints.Revocation);
        }

        // Note: introspection tells whether any token is active; only confidential clients, which
        // authenticate, may ask (RFC 7662 section 4).
        if (descriptor.ClientType == ClientTypes.Confidential)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        descriptor.Permissions.Add(Permissions.Endpoints.EndSession);

        foreach (var grant in client.GrantTypes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
        }

        foreach (var scope in client.Scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        // Note: a client may name (RFC 8707 resource) the APIs its scopes grant, and those it may exchange tokens for.
        foreach (var api in apis.All.Where(api => api.Uri is not null &&
                     (api.Scopes.Intersect(client.Scopes, StringComparer.Ordinal).Any() ||
                      client.TokenExchangeAudiences.Contains(api.Name, StringComparer.Ordinal))))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Resource + api.Uri!.AbsoluteUri);
        }

        return descriptor;
    }

    private static JsonWebKeySet UnusableKeySet()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false)));
        key.Use = JsonWebKeyUseNames.Sig;
        key.Kid = PlaceholderKeyId;
        var set = new JsonWebKeySet();
        set.Keys.Add(key);
        return set;
    }

    /// <summary>The settings of a stored client, read back from <paramref name="descriptor"/> (its secret stays hashed and out).</summary>
    public static ClientRegistration ToRegistration(OpenIddictApplicationDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        string[] Prefixed(string prefix) =>
            [.. descriptor.Permissions.Where(permission => permission.StartsWith(prefix, StringComparison.Ordinal)).Select(permission => permission[prefix.Length..])];
        string[] Strings(string property) =>
            descriptor.Properties.TryGetValue(property, out var value) && value.ValueKind == JsonValueKind.Array
                ? [.. value.EnumerateArray().Select(item => item.GetString()!)]
                : [];

        return new ClientRegistration
        {
            ClientId = descriptor.ClientId!,
            DisplayName = descriptor.DisplayName,
            GrantTypes = [.. Prefixed(Permissions.Prefixes.GrantType)],
            Scopes = [.. Prefixed(Permissions.Prefixes.Scope)],
            RedirectUris = [.. descriptor.RedirectUris.Select(uri => uri.OriginalString)],
            PostLogoutRedirectUris = [.. descriptor.PostLogoutRedirectUris.Select(uri => uri.OriginalString)],
            ThirdParty = descriptor.ConsentType == ConsentTypes.Explicit,
            AllowedCorsOrigins = [.. Strings(ClientProperties.AllowedCorsOrigins)],
            TokenExchangeAudiences = [.. Strings(ClientProperties.TokenExchangeAudiences)],
            RequirePushedAuthorizationRequests = descriptor.Requirements.Contains(Requirements.Features.PushedAuthorizationRequests),
            RequireMfa = descriptor.Properties.TryGetValue(ClientProperties.RequireMfa, out var mfa) && mfa.ValueKind == JsonValueKind.True,
            JwksUri = descriptor.Properties.TryGetValue(ClientProperties.JwksUri, out var uri) ? uri.GetString() : null,
        };
    }
}
