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
            .PostConfigure<IConfiguration>(RecordConfigurationKeys)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClientRegistrationOptions>, ClientRegistrationValidator>();
        builder.Services.AddDatabaseSeeder<ClientSynchronizer>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ClientAdministration>();
        builder.Services.AddSingleton<ClientSecretCache>();
        builder.Services.AddSingleton<ClientLookupCache>();
        builder.Services.AddSingleton<ClientKeySetCache>();
        // Note: a client's key set is small and its host should answer at once; a hung fetch must not hold a token request.
        builder.Services.AddHttpClient(ClientKeySetCache.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddOpenIddict().AddCore(options => options.ReplaceApplicationManager(typeof(CachingApplicationManager<>)));
        // Note: replaces OpenIddict's own registration (made with TryAdd), whatever the order.
        builder.Services.Replace(ServiceDescriptor.Scoped(typeof(IOpenIddictApplicationCache<>), typeof(SharedApplicationCache<>)));
        return builder;
    }

    /// <summary>
    /// Tells each client the key it was read from. Note: the binder appends list entries in key order and drops the
    /// keys, so with gaps (appsettings' clients 0 and 1, the environment's client 20) the third entry is key 20, and
    /// a message naming "OpenIddict:Clients:2" would send a person to the wrong setting.
    /// </summary>
    private static void RecordConfigurationKeys(ClientRegistrationOptions options, IConfiguration configuration)
    {
        var sections = configuration.GetSection(ClientRegistrationOptions.SectionName + ":Clients").GetChildren().ToList();
        if (sections.Count != options.Clients.Count)
        {
            // Note: clients added in code as well; the validator falls back to list positions.
            return;
        }

        for (var index = 0; index < sections.Count; index++)
        {
            options.Clients[index].ConfigurationKey = sections[index].Path;
        }
    }
}
