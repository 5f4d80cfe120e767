using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using IdentityHost.IdentityServer.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>
/// The account page: the profile (username, address and whether it is confirmed), changing the address and the password,
/// the sessions with "sign out", the connected apps with "revoke", deleting the account and downloading its data. Each
/// action is its own form (antiforgery, no script); those that need the password ask for it again. The session cookie's
/// security stamp is checked on every request, so a page left open elsewhere stops working once the password changed.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
[EnableRateLimiting(RateLimitPolicies.PasswordCheck)]
public sealed class AccountModel(
    SignInManager<ApplicationUser> signIn,
    PasswordCheck passwords,
    AccountEmails emails,
    PasswordChange passwordChange,
    UserSessions sessions,
    AccountDeletion deletion,
    AccountExport export,
    IdentityHostDbContext database,
    Outbox outbox) : PageModel
{
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public ApplicationUser Account { get; private set; } = null!;

    public string? PendingEmail { get; private set; }

    public IReadOnlyList<SessionInfo> Sessions { get; private set; } = [];

    public IReadOnlyList<ConnectedApp> Apps { get; private set; } = [];

    /// <summary>What the last action did, shown at the top.</summary>
    [TempData]
    public string? Status { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Which form the errors belong to.</summary>
    public string? ErrorSection { get; private set; }

    [BindProperty]
    public string? NewEmail { get; set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? SessionId { get; set; }

    [BindProperty]
    public string? AppId { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ?? Page();

    /// <summary>The account's data as a JSON download.</summary>
    public async Task<IActionResult> OnGetExportAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        var data = await export.ExportAsync(Account, HttpContext.RequestAborted);
        var json = JsonSerializer.SerializeToUtf8Bytes(data, ExportJson);
        return File(json, "application/json", $"identityhost-account-{Account.UserName}.json");
    }

    public async Task<IActionResult> OnPostEmailAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        var (address, error) = AccountEmails.Read(NewEmail);
        if (address is null)
        {
            return Fail("email", error ?? "Give the new email address.");
        }

        if (await passwords.CheckAsync(Account.UserName, CurrentPassword, HttpContext.RequestAborted) is null)
        {
            return Fail("email", "The password is not correct.");
        }

        return await emails.RequestChangeAsync(Account, address, HttpContext.RequestAborted) switch
        {
            EmailChangeResult.Taken => Fail("email", "Another account has this email address."),
            EmailChangeResult.Unchanged => Done("This is your address already."),
            EmailChangeResult.Throttled => Fail("email", "Too many links were sent to this account within the hour; try again later."),
            _ => Done($"We sent a link to {address}: open it to make it your address. Until then your address stays as it is."),
        };
    }

    public async Task<IActionResult> OnPostResendAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        var sent = await emails.AddResendAsync(Account, HttpContext.RequestAborted);
        if (sent)
        {
            await database.SaveChangesAsync(HttpContext.RequestAborted);
            outbox.Notify();
        }

        return sent ? Done("We sent a new confirmation link.") : Fail("email", "No address is waiting to be confirmed, or too many links were sent within the hour.");
    }

    public async Task<IActionResult> OnPostPasswordAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        var failure = await passwordChange.ChangeAsync(
            Account, AccountText.NormalizePassword(CurrentPassword), AccountText.NormalizePassword(NewPassword), HttpContext.RequestAborted);
        if (failure is { } error)
        {
            return Fail("password", error.Messages);
        }

        await KeepThisBrowserSignedInAsync();
        return Done("Your password was changed. Every other session and app was signed out.");
    }

    public async Task<IActionResult> OnPostEndSessionAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        return SessionId is not null && await sessions.EndAsync(Account.Id, SessionId, HttpContext.RequestAborted)
            ? Done("The session was signed out.")
            : Fail("sessions", "There is no such session.");
    }

    public async Task<IActionResult> OnPostEndOtherSessionsAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        var ended = await sessions.EndOthersAsync(Account.Id, keepSessionId: null, HttpContext.RequestAborted);
        // Note: a new security stamp ends the session cookies of other browsers; this one is signed in again.
        await signIn.UserManager.UpdateSecurityStampAsync(Account);
        await KeepThisBrowserSignedInAsync();
        return Done(string.Create(CultureInfo.InvariantCulture, $"Signed out everywhere else ({ended} app session{(ended == 1 ? "" : "s")} and every other browser)."));
    }

    public async Task<IActionResult> OnPostRevokeAppAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        return AppId is not null && await sessions.RevokeAppAsync(Account.Id, AppId, HttpContext.RequestAborted)
            ? Done("The app's access was revoked.")
            : Fail("apps", "There is no such app.");
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (await LoadAsync() is { } signedOut)
        {
            return signedOut;
        }

        if (await passwords.CheckAsync(Account.UserName, CurrentPassword, HttpContext.RequestAborted) is null)
        {
            return Fail("delete", "The password is not correct.");
        }

        await deletion.DeleteAsync(Account, HttpContext.RequestAborted);
        await signIn.SignOutAsync();
        return LocalRedirect("/?deleted=1");
    }

    /// <summary>Reads the signed-in user and what the page shows; a redirect to sign in when the session no longer holds.</summary>
    private async Task<IActionResult?> LoadAsync()
    {
        var user = await signIn.ValidateSecurityStampAsync(User);
        if (user is null || await signIn.IsBarredAsync(user))
        {
            await signIn.SignOutAsync();
            return LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(RouteNames.AccountPage));
        }

        Account = user;
        var pending = await emails.PendingAddressAsync(user, HttpContext.RequestAborted);
        PendingEmail = pending is not null && pending != user.Email ? pending : null;
        Sessions = await sessions.ListAsync(user.Id, currentAuthorizationId: null, HttpContext.RequestAborted);
        Apps = await sessions.ListAppsAsync(user.Id, HttpContext.RequestAborted);
        return null;
    }

    private async Task KeepThisBrowserSignedInAsync()
    {
        // Note: the same claims as the sign-in gave (how and when the user signed in), under the new security stamp.
        var kept = User.Claims.Where(claim => claim.Type is ClaimNames.AuthenticationMethods or ClaimNames.AuthenticationTime)
            .Select(claim => new Claim(claim.Type, claim.Value, claim.ValueType)).ToList();
        await signIn.SignInWithClaimsAsync(Account, new AuthenticationProperties { IsPersistent = false }, kept);
    }

    private RedirectToPageResult Done(string status)
    {
        Status = status;
        return RedirectToPage();
    }

    private PageResult Fail(string section, params string[] errors)
    {
        Errors = errors;
        ErrorSection = section;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
