using System.ComponentModel.DataAnnotations;

namespace IdentityHost.Samples.WebClient.ResourceApi;

/// <summary>The API half of the <c>WebClient</c> configuration section: where the SampleResourceApi is.</summary>
public sealed class ResourceApiClientOptions
{
    // Note: the same section as the sign-in settings, so the configuration keys stay WebClient:*.
    public const string SectionName = "WebClient";

    /// <summary>The SampleResourceApi base URL.</summary>
    [Required(ErrorMessage = "WebClient:ResourceApiUrl is required: set it to the SampleResourceApi's base URL.")]
    public Uri? ResourceApiUrl { get; set; }
}
