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

    /// <summary>
    /// This API's resource identifier (RFC 9728): an absolute http(s) URL without a query or fragment, named as
    /// <c>resource</c> in its protected resource metadata, which is served at that URL with
    /// <c>/.well-known/oauth-protected-resource</c> put between host and path. Unset, it is the URL the request reached
    /// the API at (scheme, host, path base, then <c>/</c>); set it behind a proxy.
    /// </summary>
    public Uri? ResourceIdentifier { get; set; }

    /// <summary>Refuses an authority reached over plain HTTP. Only Development turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
