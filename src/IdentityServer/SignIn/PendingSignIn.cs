using System.Globalization;
using System.Security.Claims;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// A sign-in between its steps: the password was right, and the second factor (or the enrolment of one) is still to come.
/// Held in a short-lived cookie of its own (<see cref="Scheme"/>, 5 minutes), which names the user and when the password
/// was given, and grants nothing by itself. A signed-in user stepping up (<c>acr_values</c>, a <c>RequireMfa</c> client) is
/// the other way in. Note: not Identity's two-factor cookie, in which SignInManager keeps the state of a passkey ceremony
/// (and which it replaces and deletes): a passkey given as the second factor would end the pending sign-in it completes.
/// </summary>
internal static class PendingSignIn
{
    /// <summary>The cookie scheme of a pending sign-in.</summary>
    public const string Scheme = "IdentityHost.PendingSignIn";

    /// <summary>The cookie's name.</summary>
    public const string CookieName = "identityhost.pending";

    /// <summary>How long the second step may take.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>Starts the pending sign-in of <paramref name="user"/>, who just gave the right password.</summary>
    public static Task StartAsync(HttpContext context, ApplicationUser user, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(clock);
        var identity = new ClaimsIdentity(Scheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Id));
        identity.AddClaim(new Claim(ClaimNames.AuthenticationTime,
            clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        return context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
    }

    /// <summary>
    /// Who is between the steps, and how they signed in so far: the pending sign-in, else the session of a signed-in
    /// user (a step-up); null when neither, or the account may not sign in now.
    /// </summary>
    public static async Task<(ApplicationUser User, bool StepUp, DateTimeOffset? PasswordAt)?> FindAsync(
        HttpContext context, SignInManager<ApplicationUser> signIn)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(signIn);
        var pending = await context.AuthenticateAsync(Scheme);
        if (pending.Succeeded && pending.Principal.FindFirstValue(ClaimTypes.Name) is { } userId &&
            await signIn.UserManager.FindByIdAsync(userId) is { } user && !await signIn.IsBarredAsync(user))
        {
            return (user, false, SessionClaims.SignedInAt(pending));
        }

        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (session.Succeeded && await signIn.ValidateSecurityStampAsync(session.Principal) is { } signedIn && !await signIn.IsBarredAsync(signedIn))
        {
            return (signedIn, true, null);
        }

        return null;
    }

    /// <summary>Ends the pending sign-in (the second step is done, or abandoned).</summary>
    public static Task EndAsync(HttpContext context) => context.SignOutAsync(Scheme);
}
