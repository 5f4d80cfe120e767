using System.ComponentModel.DataAnnotations;

namespace IdentityHost.Samples.WebClient.SignIn;

/// <summary>The sign-in half of the <c>WebClient</c> configuration section: which IdentityHost to sign in with, as which client.</summary>
public sealed class IdentityHostSignInOptions
{
    public const string SectionName = "WebClient";

    /// <summary>IdentityHost's issuer URL.</summary>
    [Required(ErrorMessage = "WebClient:Authority is required: set it to IdentityHost's issuer URL.")]
    public Uri? Authority { get; set; }

    /// <summary>This application's client id at IdentityHost.</summary>
    [Required(ErrorMessage = "WebClient:ClientId is required.")]
    public string ClientId { get; set; } = "webclient";

    /// <summary>The client secret, if IdentityHost registers this application as confidential (user-secrets or environment).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Refuses an authority reached over plain HTTP. Only Development turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
