using System.Text.Json;
using IdentityHost.IdentityServer.Data;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// Makes the OpenIddict applications table match <c>OpenIddict:Clients</c>: creates and updates the configured
/// clients and removes the ones no longer configured. Configuration is the single source of truth for clients.
/// </summary>
internal sealed class ClientSynchronizer(
    IOptions<ClientRegistrationOptions> options,
    IOpenIddictApplicationManager applications,
    ILogger<ClientSynchronizer> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Clients;
        foreach (var client in configured)
        {
            var descriptor = ToDescriptor(client);
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

    private static OpenIddictApplicationDescriptor ToDescriptor(ClientRegistration client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = string.IsNullOrEmpty(client.ClientSecret) ? null : client.ClientSecret,
            ClientType = string.IsNullOrEmpty(client.ClientSecret) ? ClientTypes.Public : ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? client.ClientId,
            // Note: first-party clients are trusted like the server itself; third-party ones need the user's consent.
            ConsentType = client.ThirdParty ? ConsentTypes.Explicit : ConsentTypes.Implicit,
        };

        if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            // Note: PKCE for every client, confidential ones included (RFC 9700 section 2.1.1).
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
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

        return descriptor;
    }
}
