using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The sign-in page. The same check as the token endpoint (<see cref="PasswordCheck"/>): one message for every
/// failure, wrong passwords count towards lockout. On success it sets the session cookie and goes back to
/// <see cref="ReturnUrl"/>, a local path only. A user with a second factor is sent on to give it
/// (<see cref="SecondFactorModel"/>), and one who must have a second factor and has none to enrol one (<see cref="EnrolModel"/>).
/// </summary>
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class LoginModel(PasswordCheck passwords, SignInManager<ApplicationUser> signIn, SecondFactors factors, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    /// <summary>Where to go next: <see cref="ReturnUrl"/> if it is a path on this server, else the home page.</summary>
    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    public void OnGet()
    {
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
            Error = PasswordCheck.Failure;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var enrolled = await factors.IsEnrolledAsync(user.Id, HttpContext.RequestAborted);
        if (enrolled || await factors.IsRequiredForAsync(user))
        {
            // Note: the password alone gives no session; the next step names the user only in the two-factor cookie.
            await PendingSignIn.StartAsync(HttpContext, user, clock);
            return LocalRedirect((enrolled ? RouteNames.SecondFactorPage : RouteNames.EnrolPage) + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
        }

        await signIn.StartSessionAsync(user, clock);
        return LocalRedirect(SafeReturnUrl);
    }
}
