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

    /// <summary>
    /// The sliding lifetime of a refresh token (default 14 days): each refresh issues a new refresh token valid
    /// this long, within <see cref="RefreshTokenAbsoluteLifetime"/>.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How long a login's chain of refresh tokens may last in all (default 30 days), however often it is used;
    /// then the user must log in again.
    /// </summary>
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a redeemed refresh token may still be redeemed again (default 10 seconds), so a client retrying
    /// a request whose answer it lost is not punished. A reuse after that is treated as theft: the whole token
    /// family of that login is revoked.
    /// </summary>
    public TimeSpan RefreshTokenReuseLeeway { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expired, redeemed and revoked token and authorization rows are deleted (default 1 hour).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long such rows are kept after they were created before they may be deleted (default 1 day).</summary>
    public TimeSpan PruneRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Whether every client must push its authorization requests to <c>/connect/par</c> first (RFC 9126), whatever its
    /// own <c>RequirePushedAuthorizationRequests</c> says (default false).
    /// </summary>
    public bool RequirePushedAuthorizationRequests { get; set; }
}
