namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The rate-limiting policies an endpoint can name (<c>RequireRateLimiting</c>, <c>[EnableRateLimiting]</c>); Hosting
/// defines what each allows. Note: a limit belongs to the endpoint, so a new endpoint that checks passwords names
/// <see cref="PasswordCheck"/> where it is mapped.
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>
    /// Requests that check a password, per client address (<c>RateLimiting:CredentialsPerMinute</c>). On an endpoint
    /// that also carries <see cref="ByGrantType"/>, only the password grant counts as a password check.
    /// </summary>
    public const string PasswordCheck = "password-check";

    /// <summary>Requests that create an account, per client address (<c>RateLimiting:RegistrationsPerMinute</c>).</summary>
    public const string Registration = "registration";

    /// <summary>
    /// Endpoint metadata for an OAuth token endpoint under <see cref="PasswordCheck"/>: its form is read before the
    /// rate limiter runs, a <c>grant_type=password</c> request counts against <c>RateLimiting:CredentialsPerMinute</c>,
    /// and every other grant (client_credentials, refresh_token, authorization_code, ...), which checks no password,
    /// against the much higher <c>RateLimiting:TokenRequestsPerMinute</c>.
    /// </summary>
    public static readonly GrantTypeRateLimit ByGrantType = new();

    /// <summary>Requests that ask for a mail to an account, per client address (<c>RateLimiting:RecoveryRequestsPerMinute</c>).</summary>
    public const string AccountRecovery = "account-recovery";
}
