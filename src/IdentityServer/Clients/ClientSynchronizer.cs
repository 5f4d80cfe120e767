using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// Makes the OpenIddict applications table match <c>OpenIddict:Clients</c>: creates and updates the configured
/// clients and removes those that came from configuration and are no longer there. Clients made at run time through the
/// administration API (<see cref="ClientSources.Api"/>) are left alone, unless configuration now names one: then
/// configuration takes it over.
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
            var descriptor = ClientDescriptors.ToDescriptor(client, apis.Value, ClientSources.Configuration);
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
            if (!wanted.Contains(await applications.GetClientIdAsync(application, cancellationToken) ?? string.Empty) &&
                ClientSources.Of(await applications.GetPropertiesAsync(application, cancellationToken)) != ClientSources.Api)
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
}
