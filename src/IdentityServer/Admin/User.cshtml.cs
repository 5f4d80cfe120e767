using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Sessions;
using IdentityHost.IdentityServer.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// One user (<c>/admin/users/{id}</c>): the account, its sessions, and the actions of <see cref="UserAdministration"/>
/// (disable or enable, roles, a reset link, ending the sessions); deleting is on its own confirmation page.
/// </summary>
public sealed class UserModel(UserManager<ApplicationUser> users, UserAdministration administration, AuditSearch audit, SecondFactors factors)
    : AdminPage(users)
{
    [FromRoute]
    public string Id { get; set; } = string.Empty;

    [BindProperty]
    public List<string> SelectedRoles { get; set; } = [];

    public UserSummary Account { get; private set; } = null!;

    public IReadOnlyList<SessionInfo> Sessions { get; private set; } = [];

    /// <summary>The user's latest audit events, newest first.</summary>
    public IReadOnlyList<AuditRecord> RecentEvents { get; private set; } = [];

    /// <summary>The user's second factors.</summary>
    public MfaStatus Factors { get; private set; } = new(false, null, 0, null);

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostDisableAsync() =>
        await DoneAsync(await administration.DisableAsync(Id, AdminId, HttpContext.RequestAborted), "The account was disabled and its sessions ended.");

    public async Task<IActionResult> OnPostEnableAsync() =>
        await DoneAsync(await administration.EnableAsync(Id, AdminId, HttpContext.RequestAborted), "The account was enabled.");

    public async Task<IActionResult> OnPostResetLinkAsync() =>
        await DoneAsync(await administration.SendResetLinkAsync(Id, AdminId, HttpContext.RequestAborted),
            "A password reset link was sent to the user's address.");

    public async Task<IActionResult> OnPostEndSessionsAsync() =>
        await administration.EndSessionsAsync(Id, AdminId, HttpContext.RequestAborted) is { } ended
            ? Finished(ended == 1 ? "1 session was ended." : $"{ended} sessions were ended.")
            : NotFound();

    /// <summary>Removes the user's authenticator and recovery codes (a lost phone); audited, and the user is mailed.</summary>
    public async Task<IActionResult> OnPostResetFactorsAsync()
    {
        if (await Accounts.FindByIdAsync(Id) is not { } user)
        {
            return NotFound();
        }

        return Finished(await factors.RemoveAsync(user, byAdministrator: AdminId, HttpContext.RequestAborted)
            ? "The second factors were removed; the user was told by mail."
            : "The user had no second factor.");
    }

    public async Task<IActionResult> OnPostRolesAsync()
    {
        var roles = SelectedRoles.Select(Roles.Canonicalize).OfType<string>().Distinct().ToList();
        if (roles.Count == 0 || roles.Count != SelectedRoles.Distinct(StringComparer.OrdinalIgnoreCase).Count())
        {
            return await FailAsync("Choose at least one role, each one of: " + string.Join(", ", Roles.All) + ".");
        }

        var (outcome, _) = await administration.SetRolesAsync(Id, roles, AdminId, HttpContext.RequestAborted);
        return await DoneAsync(outcome, "The roles were saved.");
    }

    private async Task<IActionResult> DoneAsync(AdminOutcome outcome, string status) => outcome switch
    {
        AdminOutcome.Done => Finished(status),
        AdminOutcome.NotFound => NotFound(),
        AdminOutcome.OwnAccount => await FailAsync("You cannot disable, delete or demote your own account."),
        _ => await FailAsync("The user has no email address to send a link to."),
    };

    private RedirectToPageResult Finished(string status)
    {
        Status = status;
        return RedirectToPage(new { id = Id });
    }

    private async Task<IActionResult> FailAsync(string error)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        Errors = [error];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        if (await administration.FindAsync(Id, HttpContext.RequestAborted) is not { } account)
        {
            return false;
        }

        Account = account;
        Sessions = await administration.SessionsAsync(Id, HttpContext.RequestAborted) ?? [];
        Factors = await factors.StatusAsync(Id, HttpContext.RequestAborted);
        RecentEvents = (await audit.FindAsync(new AuditFilter(Id, null, null, null, null), before: null, pageSize: 10, HttpContext.RequestAborted)).Items;
        return true;
    }
}
