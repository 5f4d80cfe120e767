using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Resources;

/// <summary>Registers the APIs access tokens are issued for.</summary>
public static class ResourcesExtensions
{
    /// <summary>
    /// Binds <c>OpenIddict:Apis</c> and <c>OpenIddict:ApiAudience</c> and validates them at start-up: each API's name
    /// (the audience of its tokens), optional RFC 8707 resource URI, and the scopes that grant it.
    /// </summary>
    public static IHostApplicationBuilder AddApiResources(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ApiResourceOptions>()
            .BindConfiguration(ApiResourceOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // Note: the keys the entries were read from (the binder drops them; with gaps, positions would mislead).
                var sections = configuration.GetSection(ApiResourceOptions.SectionName + ":Apis").GetChildren().ToList();
                for (var index = 0; index < options.Apis.Count && sections.Count == options.Apis.Count; index++)
                {
                    options.Apis[index].ConfigurationKey = sections[index].Path;
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiResourceOptions>, ApiResourceOptionsValidator>();
        return builder;
    }
}
