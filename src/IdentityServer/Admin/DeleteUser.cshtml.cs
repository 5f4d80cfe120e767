using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>The confirmation before an account is deleted (<c>/admin/users/{id}/delete</c>): a GET shows it, the POST deletes.</summary>
public sealed class DeleteUserModel(UserManager<ApplicationUser> users, UserAdministration administration) : AdminPage(users)
{
    [FromRoute]
    public string Id { get; set; } = string.Empty;

    public UserSummary Account { get; private set; } = null!;

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        switch (await administration.DeleteAsync(Id, AdminId, HttpContext.RequestAborted))
        {
            case AdminOutcome.Done:
                Status = $"The account {Account.Username} was deleted.";
                return RedirectToPage("/Admin/Users");
            case AdminOutcome.OwnAccount:
                Error = "You cannot delete your own account here.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            default:
                return NotFound();
        }
    }

    private async Task<bool> LoadAsync()
    {
        Account = (await administration.FindAsync(Id, HttpContext.RequestAborted))!;
        return Account is not null;
    }
}
