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
/// The sign-in's second step: the code of the user's authenticator app, one of their recovery codes, or one of their
/// passkeys, after the password (a pending sign-in) or for a signed-in user asked to step up. Wrong codes count towards
/// the second step's own lockout (<see cref="SecondFactors"/>), which never locks the password, nor the passkeys: a
/// passkey is offered and accepted while the codes are locked.
/// </summary>
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class SecondFactorModel(SignInManager<ApplicationUser> signIn, SecondFactors factors, Passkeys passkeys, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    /// <summary>The result of <c>navigator.credentials.get()</c>, as JSON.</summary>
    [BindProperty]
    public string? CredentialJson { get; set; }

    public string? Error { get; private set; }

    /// <summary>Whether the user has an authenticator app (so codes are asked for).</summary>
    public bool HasAuthenticator { get; private set; }

    /// <summary>Whether the user has a passkey (so one is offered).</summary>
    public bool HasPasskey { get; private set; }

    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    /// <summary>The page runs the passkey script, the server's own file and nothing else.</summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ContentSecurity.AllowOwnScript(context.HttpContext);
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, _, _))
        {
            return BackToSignIn();
        }

        await LoadFactorsAsync(user);
        return HasAuthenticator || HasPasskey ? Page() : LocalRedirect(RouteNames.EnrolPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, stepUp, passwordAt))
        {
            return BackToSignIn();
        }

        await LoadFactorsAsync(user);
        var (result, _) = await factors.VerifyAsync(user, Code, allowRecoveryCode: true, HttpContext.RequestAborted);
        switch (result)
        {
            case SecondFactorResult.Succeeded:
                await PendingSignIn.EndAsync(HttpContext);
                await signIn.StartSessionAsync(user, clock,
                    [AuthenticationMethods.Password, AuthenticationMethods.OneTimePassword, AuthenticationMethods.MultipleFactors],
                    stepUp ? null : passwordAt);
                return LocalRedirect(SafeReturnUrl);
            case SecondFactorResult.NotEnrolled when HasPasskey:
                Error = "This account has no authenticator app: use your passkey.";
                break;
            case SecondFactorResult.NotEnrolled:
                return LocalRedirect(RouteNames.EnrolPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
            case SecondFactorResult.LockedOut:
                Error = HasPasskey
                    ? "Too many wrong codes: codes are locked for a while. You can still use your passkey."
                    : "Too many wrong codes: this step is locked for a while. Try again later.";
                break;
            default:
                Error = "The code is not valid.";
                break;
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The options of a sign-in with one of this user's passkeys (JSON for <c>navigator.credentials.get()</c>).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, _, _))
        {
            return ErrorResponses.PageProblem(StatusCodes.Status400BadRequest, "Sign in again",
                "The sign-in has expired: sign in again with your password or a passkey.");
        }

        return Content(await passkeys.RequestOptionsAsync(user), "application/json");
    }

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, stepUp, passwordAt))
        {
            return BackToSignIn();
        }

        var check = await passkeys.VerifyAsync(CredentialJson, expected: user);
        if (!check.Succeeded)
        {
            await LoadFactorsAsync(user);
            Error = check.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // Note: after a password the passkey is the second factor, whether or not its authenticator verified the user.
        await PendingSignIn.EndAsync(HttpContext);
        await signIn.StartSessionAsync(user, clock,
            [AuthenticationMethods.Password, .. check.Methods, AuthenticationMethods.MultipleFactors],
            stepUp ? null : passwordAt);
        return LocalRedirect(SafeReturnUrl);
    }

    private async Task LoadFactorsAsync(ApplicationUser user)
    {
        HasAuthenticator = await factors.IsEnrolledAsync(user.Id, HttpContext.RequestAborted);
        HasPasskey = await factors.HasPasskeyAsync(user.Id, HttpContext.RequestAborted);
    }

    private LocalRedirectResult BackToSignIn() =>
        LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
}
