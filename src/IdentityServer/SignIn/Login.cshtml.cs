using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The sign-in page. The same check as the token endpoint (<see cref="PasswordCheck"/>): one message for every
/// failure, wrong passwords count towards lockout. On success it sets the session cookie and goes back to
/// <see cref="ReturnUrl"/>, a local path only. A user with a second factor is sent on to give it
/// (<see cref="SecondFactorModel"/>), and one who must have a second factor and has none to enrol one (<see cref="EnrolModel"/>).
/// A passkey signs in without a user name (a discoverable credential): it is both factors at once, and it never looks at
/// the second step's lockout, so wrong codes someone else typed cannot keep the owner out; a locked or disabled account
/// stays out as with a password.
/// </summary>
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class LoginModel(
    PasswordCheck passwords,
    SignInManager<ApplicationUser> signIn,
    SecondFactors factors,
    Passkeys passkeys,
    SecurityAudit audit,
    IdentityHostMetrics metrics,
    TimeProvider clock)
    : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    /// <summary>The result of <c>navigator.credentials.get()</c>, as JSON.</summary>
    [BindProperty]
    public string? CredentialJson { get; set; }

    public string? Error { get; private set; }

    /// <summary>Where to go next: <see cref="ReturnUrl"/> if it is a path on this server, else the home page.</summary>
    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    /// <summary>The page runs the passkey script, the server's own file and nothing else.</summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ContentSecurity.AllowOwnScript(context.HttpContext);
    }

    public void OnGet()
    {
    }

    /// <summary>The options of a sign-in with any passkey of this site (JSON for <c>navigator.credentials.get()</c>).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        Content(await passkeys.RequestOptionsAsync(user: null), "application/json");

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        var check = await passkeys.VerifyAsync(CredentialJson, expected: null);
        if (check.User is not { } user)
        {
            metrics.SignIn(PasskeyMethod, SignInResults.Failed);
            return Fail(check.Error ?? Passkeys.InvalidCredential);
        }

        if (await signIn.IsBarredAsync(user))
        {
            audit.Write(AuditEvents.LoginFailed, user.Id, "passkey: account locked or disabled");
            metrics.SignIn(PasskeyMethod, SignInResults.Refused);
            return Fail("This account cannot sign in now.");
        }

        audit.Write(AuditEvents.LoginSucceeded, user.Id, "passkey");
        metrics.SignIn(PasskeyMethod, SignInResults.Succeeded);
        await PendingSignIn.EndAsync(HttpContext);
        await signIn.StartSessionAsync(user, clock, check.Methods);
        return LocalRedirect(SafeReturnUrl);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await passwords.CheckAsync(UserName, Password, HttpContext.RequestAborted);
        if (user is null && passwords.EmailUnverified)
        {
            // Note: the right password, and only the address missing its confirmation: offer a new link.
            return LocalRedirect(RouteNames.ResendVerificationPage + "?unverified=true&usernameOrEmail=" + Uri.EscapeDataString(UserName ?? string.Empty));
        }

        if (user is null)
        {
            return Fail(PasswordCheck.Failure);
        }

        var enrolled = await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted);
        if (enrolled || await factors.IsRequiredForAsync(user))
        {
            // Note: the password alone gives no session; the next step names the user only in the two-factor cookie.
            await PendingSignIn.StartAsync(HttpContext, user, clock);
            return LocalRedirect((enrolled ? RouteNames.SecondFactorPage : RouteNames.EnrolPage) + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
        }

        await signIn.StartSessionAsync(user, clock);
        return LocalRedirect(SafeReturnUrl);
    }

    /// <summary>The <c>method</c> of a passkey sign-in in the sign-in counter (the password's is <c>password</c>).</summary>
    private const string PasskeyMethod = "passkey";

    private PageResult Fail(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
