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
/// The guided enrolment of a user who must sign in with a second factor and has none (a role of
/// <c>Accounts:Mfa:RequiredForRoles</c>, a <c>RequireMfa</c> client, <c>acr_values</c>): set up an authenticator app, confirm
/// it with a first code, note the recovery codes, and the sign-in goes on, now with two factors; or register a passkey,
/// which is the second factor at once.
/// </summary>
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class EnrolModel(SignInManager<ApplicationUser> signIn, SecondFactors factors, Passkeys passkeys, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    /// <summary>The result of <c>navigator.credentials.create()</c>, as JSON.</summary>
    [BindProperty]
    public string? CredentialJson { get; set; }

    /// <summary>The name of the passkey being registered.</summary>
    [BindProperty]
    public string? Name { get; set; }

    public TotpSetup? Setup { get; private set; }

    /// <summary>The recovery codes, shown once, after a successful confirmation.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public string? Error { get; private set; }

    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    public async Task<IActionResult> OnGetAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, _, _))
        {
            return BackToSignIn();
        }

        if (await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted))
        {
            return LocalRedirect(RouteNames.SecondFactorPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
        }

        Setup = await factors.BeginTotpAsync(user, HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>The QR code of the authenticator being set up, as SVG.</summary>
    public async Task<IActionResult> OnGetQrAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, _, _) ||
            await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        var setup = await factors.BeginTotpAsync(user, HttpContext.RequestAborted);
        return File(QrCodes.Svg(setup.Uri), "image/svg+xml");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, stepUp, passwordAt))
        {
            return BackToSignIn();
        }

        if (await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted))
        {
            // Note: enrolled meanwhile (another tab): the code must then be given as a second factor, not as a confirmation.
            return LocalRedirect(RouteNames.SecondFactorPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
        }

        RecoveryCodes = await factors.ConfirmTotpAsync(user, Code, HttpContext.RequestAborted);
        if (RecoveryCodes is null)
        {
            Error = "The code is not valid. Enter the code your app shows now.";
            Setup = await factors.BeginTotpAsync(user, HttpContext.RequestAborted);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await PendingSignIn.EndAsync(HttpContext);
        await signIn.StartSessionAsync(user, clock,
            [AuthenticationMethods.Password, AuthenticationMethods.OneTimePassword, AuthenticationMethods.MultipleFactors],
            stepUp ? null : passwordAt);
        return Page();
    }

    /// <summary>The page runs the passkey script, the server's own file and nothing else.</summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ContentSecurity.AllowOwnScript(context.HttpContext);
    }

    /// <summary>The options of the user's first passkey (JSON for <c>navigator.credentials.create()</c>).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, _, _) ||
            await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted))
        {
            return ErrorResponses.PageProblem(StatusCodes.Status400BadRequest, "Sign in again",
                "The sign-in has expired, or a second factor was set up meanwhile: sign in again.");
        }

        return await passkeys.CreationOptionsAsync(user) is { } options
            ? Content(options, "application/json")
            : ErrorResponses.PageProblem(StatusCodes.Status400BadRequest, "No more passkeys", "This account cannot have more passkeys.");
    }

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        if (await PendingSignIn.FindAsync(HttpContext, signIn) is not var (user, stepUp, passwordAt))
        {
            return BackToSignIn();
        }

        if (await factors.HasSecondFactorAsync(user.Id, HttpContext.RequestAborted))
        {
            return LocalRedirect(RouteNames.SecondFactorPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
        }

        var (error, methods) = await passkeys.AddAsync(user, CredentialJson, Name, HttpContext.RequestAborted);
        if (error is not null)
        {
            Error = error;
            Setup = await factors.BeginTotpAsync(user, HttpContext.RequestAborted);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // Note: the passkey was just made with the user verified on the authenticator: possession after the password.
        await PendingSignIn.EndAsync(HttpContext);
        await signIn.StartSessionAsync(user, clock,
            [AuthenticationMethods.Password, .. methods, AuthenticationMethods.MultipleFactors],
            stepUp ? null : passwordAt);
        return LocalRedirect(SafeReturnUrl);
    }

    private LocalRedirectResult BackToSignIn() =>
        LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl));
}
