using IdentityHost.IdentityServer.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>Registers the clients configured under <c>OpenIddict:Clients</c> and the caches that find them fast.</summary>
public static class ClientsExtensions
{
    /// <summary>
    /// Binds and validates <c>OpenIddict:Clients</c>, synchronizes the database to it at start-up, and makes OpenIddict
    /// find clients through a cache shared by all requests and verify a client secret once rather than on every request.
    /// </summary>
    public static IHostApplicationBuilder AddClients(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ClientRegistrationOptions>()
            .BindConfiguration(ClientRegistrationOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClientRegistrationOptions>, ClientRegistrationValidator>();
        builder.Services.AddDatabaseSeeder<ClientSynchronizer>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClientSecretCache>();
        builder.Services.AddSingleton<ClientLookupCache>();
        builder.Services.AddOpenIddict().AddCore(options => options.ReplaceApplicationManager(typeof(CachingApplicationManager<>)));
        // Note: replaces OpenIddict's own registration (made with TryAdd), whatever the order.
        builder.Services.Replace(ServiceDescriptor.Scoped(typeof(IOpenIddictApplicationCache<>), typeof(SharedApplicationCache<>)));
        return builder;
    }
}
