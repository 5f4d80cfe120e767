namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The type of <see cref="RateLimitPolicies.ByGrantType"/>: marks an endpoint whose password-check limit depends on
/// the request's <c>grant_type</c>. Note: a marker found in the endpoint's metadata, so the limit stays attached to
/// the endpoint rather than to a list of paths.
/// </summary>
public sealed class GrantTypeRateLimit
{
    internal GrantTypeRateLimit()
    {
    }
}
