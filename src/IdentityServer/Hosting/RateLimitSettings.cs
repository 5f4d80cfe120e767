namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// The <c>RateLimiting</c> section: how many requests one client IP address may make per minute to the endpoints
/// that check passwords or create accounts.
/// </summary>
public sealed class RateLimitSettings
{
    public const string SectionName = "RateLimiting";

    /// <summary>POSTs to <c>/connect/token</c>, <c>/api/auth/login</c> and the sign-in page, per IP per minute (default 60).</summary>
    public int CredentialsPerMinute { get; set; } = 60;

    /// <summary>POSTs to <c>/api/auth/register</c> and the registration page, per IP per minute (default 10).</summary>
    public int RegistrationsPerMinute { get; set; } = 10;
}
