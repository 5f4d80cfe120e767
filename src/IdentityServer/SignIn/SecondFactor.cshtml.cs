using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The sign-in's second step: the code of the user's authenticator app, or one of their recovery codes, after the password
/// (a pending sign-in) or for a signed-in user asked to step up. Wrong codes count towards the second step's own lockout
/// (<see cref="SecondFactors"/>), which never locks the password.
/// </summary>
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class SecondFactorModel(SignInManager<ApplicationUser> signIn, SecondFactors factors, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string? Error { get; private set; }

    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    public async Task<IActionResult> OnGetAsync() =>
        await PendingSignIn.FindAsync(HttpContext, signIn) is null ? BackToSignIn() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, stepUp, passwordAt))
        {
            return BackToSignIn();
        }

        var (result, _) = await factors.VerifyAsync(user, Code, allowRecoveryCode: true, HttpContext.RequestAborted);
        switch (result)
        {
            case SecondFactorResult.Succeeded:
                await PendingSignIn.EndAsync(HttpContext);
                await signIn.StartSessionAsync(user, clock,
                    [AuthenticationMethods.Password, AuthenticationMethods.OneTimePassword, AuthenticationMethods.MultipleFactors],
                    stepUp ? null : passwordAt);
                return LocalRedirect(SafeReturnUrl);
            case SecondFactorResult.NotEnrolled:
                return LocalRedirect(RouteNames.EnrolPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
            case SecondFactorResult.LockedOut:
                Error = "Too many wrong codes: this step is locked for a while. Try again later.";
                break;
            default:
                Error = "The code is not valid.";
                break;
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private LocalRedirectResult BackToSignIn() =>
        LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
}
