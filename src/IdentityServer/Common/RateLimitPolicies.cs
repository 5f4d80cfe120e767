namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The rate-limiting policies an endpoint can name (<c>RequireRateLimiting</c>, <c>[EnableRateLimiting]</c>); Hosting
/// defines what each allows. Note: a limit belongs to the endpoint, so a new endpoint that checks passwords names
/// <see cref="PasswordCheck"/> where it is mapped.
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>Requests that check a password, per client address (<c>RateLimiting:CredentialsPerMinute</c>).</summary>
    public const string PasswordCheck = "password-check";

    /// <summary>Requests that create an account, per client address (<c>RateLimiting:RegistrationsPerMinute</c>).</summary>
    public const string Registration = "registration";
}
