using System.Text.Json;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// Makes the OpenIddict applications table match <c>OpenIddict:Clients</c>: creates and updates the configured
/// clients and removes the ones no longer configured. Configuration is the single source of truth for clients.
/// </summary>
internal sealed class ClientSynchronizer(
    IOptions<ClientRegistrationOptions> options,
    IOptions<ApiResourceOptions> apis,
    IOpenIddictApplicationManager applications,
    ILogger<ClientSynchronizer> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Clients;
        foreach (var client in configured)
        {
            var descriptor = ToDescriptor(client, apis.Value);
            var existing = await applications.FindByClientIdAsync(client.ClientId, cancellationToken);
            if (existing is null)
            {
                await applications.CreateAsync(descriptor, cancellationToken);
                logger.LogInformation("Created client {ClientId}", client.ClientId);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
                logger.LogDebug("Updated client {ClientId}", client.ClientId);
            }
        }

        var wanted = configured.Select(client => client.ClientId).ToHashSet(StringComparer.Ordinal);
        var stale = new List<object>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            if (!wanted.Contains(await applications.GetClientIdAsync(application, cancellationToken) ?? string.Empty))
            {
                stale.Add(application);
            }
        }

        foreach (var application in stale)
        {
            var clientId = await applications.GetClientIdAsync(application, cancellationToken);
            await applications.DeleteAsync(application, cancellationToken);
            logger.LogInformation("Removed client {ClientId}, which is no longer configured", clientId);
        }
    }

    private static OpenIddictApplicationDescriptor ToDescriptor(ClientRegistration client, ApiResourceOptions apis)
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
        key.Kid = "unusable-placeholder";
        var set = new JsonWebKeySet();
        set.Keys.Add(key);
        return set;
    }
}
