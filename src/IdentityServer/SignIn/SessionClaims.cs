using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// What the session cookie records about the sign-in itself. Note: the cookie's own issue time is renewed by
/// sliding expiration and security-stamp checks, so the moment the user actually entered a password (for
/// <c>max_age</c> and <c>auth_time</c>) is kept as a claim of its own.
/// </summary>
public static class SessionClaims
{
    /// <summary>When the user signed in with a password, in Unix seconds.</summary>
    public const string SignedInAtClaim = "auth_time";

    /// <summary>The claims a new session starts with: how and when the user signed in.</summary>
    public static IEnumerable<Claim> ForNewSession(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return
        [
            new Claim("amr", "pwd"),
            new Claim(SignedInAtClaim, clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ];
    }

    /// <summary>When the user of <paramref name="session"/> signed in, or null without a session.</summary>
    public static DateTimeOffset? SignedInAt(AuthenticateResult session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Principal?.FindFirst(SignedInAtClaim)?.Value is { } value &&
            long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : session.Properties?.IssuedUtc;
    }
}
