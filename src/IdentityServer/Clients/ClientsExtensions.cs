using IdentityHost.IdentityServer.Data;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>Registers the clients configured under <c>OpenIddict:Clients</c>.</summary>
public static class ClientsExtensions
{
    /// <summary>Binds and validates <c>OpenIddict:Clients</c> and synchronizes the database to it at start-up.</summary>
    public static IHostApplicationBuilder AddClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClientRegistrationOptions>()
            .BindConfiguration(ClientRegistrationOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClientRegistrationOptions>, ClientRegistrationValidator>();
        builder.Services.AddDatabaseSeeder<ClientSynchronizer>();
        return builder;
    }
}
