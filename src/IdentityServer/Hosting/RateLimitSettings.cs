namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// The <c>RateLimiting</c> section: how many requests one client IP address may make per minute to the endpoints
/// that check passwords, hand out tokens or create accounts.
/// </summary>
public sealed class RateLimitSettings
{
    public const string SectionName = "RateLimiting";

    /// <summary>
    /// POSTs that check a password, per IP per minute (default 60): password grants at <c>/connect/token</c>,
    /// <c>/api/auth/login</c> and the sign-in page.
    /// </summary>
    public int CredentialsPerMinute { get; set; } = 60;

    /// <summary>
    /// Other POSTs to <c>/connect/token</c> (client_credentials, refresh_token, authorization_code), per IP per minute
    /// (default 1200). Note: these check no password, so they need only a limit against floods, far above what one
    /// address's clients need.
    /// </summary>
    public int TokenRequestsPerMinute { get; set; } = 1200;

    /// <summary>POSTs to <c>/api/auth/register</c> and the registration page, per IP per minute (default 10).</summary>
    public int RegistrationsPerMinute { get; set; } = 10;

    /// <summary>
    /// POSTs that ask for a mail to an account (forgot password, a new verification link; API and pages), per IP per minute
    /// (default 5). Each account also gets at most <c>Accounts:RecoveryMailsPerHour</c> such mails.
    /// </summary>
    public int RecoveryRequestsPerMinute { get; set; } = 5;
}
