using System.Globalization;
using System.Security.Claims;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// What the session cookie records about the sign-in itself. Note: the cookie's own issue time is renewed by
/// sliding expiration and security-stamp checks, so the moment the user actually entered a password (for
/// <c>max_age</c> and <c>auth_time</c>) is kept as a claim of its own.
/// </summary>
internal static class SessionClaims
{
    /// <summary>
    /// Starts a session (the non-persistent session cookie) for a user who has just given their password, with
    /// how and when they signed in.
    /// </summary>
    public static Task StartSessionAsync(this SignInManager<ApplicationUser> signIn, ApplicationUser user, TimeProvider clock) =>
        signIn.StartSessionAsync(user, clock, [AuthenticationMethods.Password]);

    /// <summary>
    /// Starts a session for a user who signed in with <paramref name="methods"/> (RFC 8176 <c>amr</c> values), at
    /// <paramref name="signedInAt"/> (default now). Note: the password time of a two-step sign-in is kept, as it is the
    /// moment the user started authenticating; a step-up starts a new moment.
    /// </summary>
    public static Task StartSessionAsync(
        this SignInManager<ApplicationUser> signIn, ApplicationUser user, TimeProvider clock, IEnumerable<string> methods, DateTimeOffset? signedInAt = null)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        ArgumentNullException.ThrowIfNull(clock);
        var at = signedInAt ?? clock.GetUtcNow();
        return signIn.SignInWithClaimsAsync(user, new AuthenticationProperties { IsPersistent = false },
        [
            .. methods.Distinct(StringComparer.Ordinal).Select(method => new Claim(ClaimNames.AuthenticationMethods, method)),
            new Claim(ClaimNames.AuthenticationTime, at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ]);
    }

    /// <summary>The <c>amr</c> values of a session.</summary>
    public static string[] MethodsOf(ClaimsPrincipal? session) =>
        session is null ? [] : [.. session.FindAll(ClaimNames.AuthenticationMethods).Select(claim => claim.Value)];

    /// <summary>When the user of <paramref name="session"/> signed in, or null without a session.</summary>
    public static DateTimeOffset? SignedInAt(AuthenticateResult session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Principal?.FindFirst(ClaimNames.AuthenticationTime)?.Value is { } value &&
            long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : session.Properties?.IssuedUtc;
    }
}
