namespace IdentityHost.IdentityServer.Tokens;

/// <summary>The <c>OpenIddict</c> configuration section: issuer, transport and token lifetimes.</summary>
public sealed class TokenServerOptions
{
    public const string SectionName = "OpenIddict";

    /// <summary>
    /// The issuer URL put in tokens and discovery. When unset, the URL the request came in on is used, which
    /// suits one host; set it when the server sits behind a proxy or several names reach it.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>Refuses OAuth requests over plain HTTP. Only Development turns this off.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>How long an access token is valid (default 15 minutes).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a refresh token is valid (default 14 days).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The audience put in access tokens that were granted the <c>api</c> scope.</summary>
    public string ApiAudience { get; set; } = "resource_api";
}
