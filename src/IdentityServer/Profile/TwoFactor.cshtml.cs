using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>
/// The account page of the second factors: set up an authenticator app (QR code and key, switched on by a first valid
/// code), see how many recovery codes are left and make new ones (with the password), and remove the factors, which asks
/// for the password and a current code again (signing in again, in place).
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class TwoFactorModel(SignInManager<ApplicationUser> signIn, PasswordCheck passwords, SecondFactors factors) : PageModel
{
    public MfaStatus Mfa { get; private set; } = null!;

    public TotpSetup? Setup { get; private set; }

    /// <summary>New recovery codes, shown this once.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    [TempData]
    public string? Status { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    private ApplicationUser Account { get; set; } = null!;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    /// <summary>The QR code of the authenticator being set up, as SVG.</summary>
    public async Task<IActionResult> OnGetQrAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        return Setup is null ? NotFound() : File(QrCodes.Svg(Setup.Uri), "image/svg+xml");
    }

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (Mfa.Enrolled)
        {
            return Fail("An authenticator app is already set up; remove it first to set up another.");
        }

        RecoveryCodes = await factors.ConfirmTotpAsync(Account, Code, HttpContext.RequestAborted);
        if (RecoveryCodes is null)
        {
            return Fail("The code is not valid. Enter the code your app shows now.");
        }

        return await ShowAsync("Your authenticator app is set up: from now on, signing in asks for its code.");
    }

    public async Task<IActionResult> OnPostRegenerateAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (await passwords.CheckAsync(Account.UserName, CurrentPassword, HttpContext.RequestAborted) is null)
        {
            return Fail("The password is not correct.");
        }

        RecoveryCodes = await factors.RegenerateRecoveryCodesAsync(Account, HttpContext.RequestAborted);
        return RecoveryCodes is null
            ? Fail("Set up an authenticator app first.")
            : await ShowAsync("New recovery codes were made; the old ones no longer work.");
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (await passwords.CheckAsync(Account.UserName, CurrentPassword, HttpContext.RequestAborted) is null)
        {
            return Fail("The password is not correct.");
        }

        var (result, _) = await factors.VerifyAsync(Account, Code, allowRecoveryCode: true, HttpContext.RequestAborted);
        if (result == SecondFactorResult.LockedOut)
        {
            return Fail("Too many wrong codes: this step is locked for a while. Try again later.");
        }

        if (result != SecondFactorResult.Succeeded)
        {
            return Fail("The code is not valid.");
        }

        await factors.RemoveAsync(Account, byAdministrator: null, HttpContext.RequestAborted);
        Status = await factors.IsRequiredForAsync(Account)
            ? "Your second factors were removed. Your account must have one: the next sign-in asks you to set one up."
            : "Your second factors were removed: signing in asks for the password only.";
        return RedirectToPage();
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var user = await signIn.ValidateSecurityStampAsync(User);
        if (user is null || await signIn.IsBarredAsync(user))
        {
            await signIn.SignOutAsync();
            return LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(RouteNames.TwoFactorPage));
        }

        Account = user;
        Mfa = await factors.StatusAsync(user.Id, HttpContext.RequestAborted);
        if (!Mfa.Enrolled)
        {
            Setup = await factors.BeginTotpAsync(user, HttpContext.RequestAborted);
        }

        return null;
    }

    private async Task<PageResult> ShowAsync(string status)
    {
        Status = status;
        Mfa = await factors.StatusAsync(Account.Id, HttpContext.RequestAborted);
        Setup = null;
        return Page();
    }

    private PageResult Fail(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
