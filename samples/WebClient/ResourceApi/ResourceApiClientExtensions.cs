using Microsoft.Extensions.Options;

namespace IdentityHost.Samples.WebClient.ResourceApi;

/// <summary>Registers <see cref="ResourceApiClient"/>.</summary>
public static class ResourceApiClientExtensions
{
    /// <summary>
    /// A typed HttpClient for the SampleResourceApi at <c>WebClient:ResourceApiUrl</c>, which start-up requires.
    /// </summary>
    public static IHostApplicationBuilder AddResourceApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResourceApiClientOptions>()
            .BindConfiguration(ResourceApiClientOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient<ResourceApiClient>((services, http) =>
            http.BaseAddress = services.GetRequiredService<IOptions<ResourceApiClientOptions>>().Value.ResourceApiUrl);
        return builder;
    }
}
