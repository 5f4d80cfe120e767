using System.ComponentModel.DataAnnotations;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>The <c>ResourceApi</c> configuration section: which identity server this API trusts.</summary>
public sealed class ResourceApiOptions
{
    public const string SectionName = "ResourceApi";

    /// <summary>The identity server's issuer URL; discovery and JWKS are read from it.</summary>
    [Required(ErrorMessage = "ResourceApi:Authority is required: set it to the identity server's issuer URL.")]
    public Uri? Authority { get; set; }

    /// <summary>The audience access tokens must carry (default <c>resource_api</c>).</summary>
    [Required(ErrorMessage = "ResourceApi:Audience is required.")]
    public string Audience { get; set; } = "resource_api";

    /// <summary>Refuses an authority reached over plain HTTP. Only Development turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
