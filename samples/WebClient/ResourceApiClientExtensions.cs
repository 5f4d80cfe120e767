using Microsoft.Extensions.Options;

namespace IdentityHost.Samples.WebClient;

/// <summary>Registers <see cref="ResourceApiClient"/>.</summary>
public static class ResourceApiClientExtensions
{
    /// <summary>A typed HttpClient for the SampleResourceApi at <c>WebClient:ResourceApiUrl</c>.</summary>
    public static IHostApplicationBuilder AddResourceApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<ResourceApiClient>((services, http) =>
            http.BaseAddress = services.GetRequiredService<IOptions<WebClientOptions>>().Value.ResourceApiUrl);
        return builder;
    }
}
