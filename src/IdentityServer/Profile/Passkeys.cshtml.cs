using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>
/// The account page of passkeys: register one (the browser's authenticator, through <c>/js/passkeys.js</c>), name and
/// rename each, and remove one, which asks for the password again (signing in again, in place, as removing the other
/// factors does). Each change is audited and mailed to the user (<see cref="Passkeys"/>).
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class PasskeysModel(SignInManager<ApplicationUser> signIn, PasswordCheck passwords, Passkeys passkeys) : PageModel
{
    public IReadOnlyList<PasskeySummary> List { get; private set; } = [];

    [TempData]
    public string? Status { get; set; }

    public string? Error { get; private set; }

    /// <summary>The result of <c>navigator.credentials.create()</c>, as JSON.</summary>
    [BindProperty]
    public string? CredentialJson { get; set; }

    [BindProperty]
    public string? Id { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    private ApplicationUser Account { get; set; } = null!;

    /// <summary>The page runs the passkey script, the server's own file and nothing else.</summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ContentSecurity.AllowOwnScript(context.HttpContext);
    }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    /// <summary>The options of a new passkey (JSON for <c>navigator.credentials.create()</c>); the ceremony's state goes in Identity's cookie.</summary>
    public async Task<IActionResult> OnPostOptionsAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        return await passkeys.CreationOptionsAsync(Account) is { } options
            ? Content(options, "application/json")
            : ErrorResponses.PageProblem(StatusCodes.Status400BadRequest, "No more passkeys", $"An account can have at most {Passkeys.MaxPerUser} passkeys; remove one first.");
    }

    public async Task<IActionResult> OnPostAddAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if ((await passkeys.AddAsync(Account, CredentialJson, Name, HttpContext.RequestAborted)).Error is { } error)
        {
            return await FailAsync(error);
        }

        Status = $"The passkey \"{Passkeys.NormalizeName(Name)}\" was added: you can sign in with it without your password.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRenameAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (await passkeys.RenameAsync(Account, Id, Name) is { } error)
        {
            return await FailAsync(error);
        }

        Status = "The passkey was renamed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (await passwords.CheckAsync(Account.UserName, CurrentPassword, HttpContext.RequestAborted) is null)
        {
            return await FailAsync("The password is not correct.");
        }

        if (await passkeys.RemoveAsync(Account, Id, HttpContext.RequestAborted) is { } error)
        {
            return await FailAsync(error);
        }

        Status = "The passkey was removed; it no longer signs you in.";
        return RedirectToPage();
    }

    private async Task<IActionResult?> LoadAsync()
    {
        var user = await signIn.ValidateSecurityStampAsync(User);
        if (user is null || await signIn.IsBarredAsync(user))
        {
            await signIn.SignOutAsync();
            return LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(RouteNames.PasskeysPage));
        }

        Account = user;
        List = await passkeys.ListAsync(user);
        return null;
    }

    private async Task<PageResult> FailAsync(string error)
    {
        Error = error;
        List = await passkeys.ListAsync(Account);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
