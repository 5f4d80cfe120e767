using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>Creating a user (<c>/admin/users/new</c>): name, address and roles; the user sets their password with the mailed link.</summary>
public sealed class CreateUserModel(UserManager<ApplicationUser> users, UserAdministration administration) : AdminPage(users)
{
    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public List<string> SelectedRoles { get; set; } = [Roles.User];

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var roles = SelectedRoles.Select(Roles.Canonicalize).OfType<string>().Distinct().ToList();
        if (roles.Count == 0 || roles.Count != SelectedRoles.Distinct(StringComparer.OrdinalIgnoreCase).Count())
        {
            return Fail("Choose at least one role, each one of: " + string.Join(", ", Roles.All) + ".");
        }

        var result = await administration.CreateAsync(UserName, Email, roles, AdminId, HttpContext.RequestAborted);
        if (result.User is { } user)
        {
            Status = $"The account {user.Username} was created; a link to set the password was sent to {user.Email}.";
            return RedirectToPage("/Admin/User", new { id = user.Id });
        }

        return result.IsNameTaken ? Fail("An account with this username already exists.")
            : result.IsEmailTaken ? Fail("An account with this email address already exists.")
            : Fail([.. result.Errors!.SelectMany(pair => pair.Value)]);
    }

    private PageResult Fail(params string[] errors)
    {
        Errors = errors;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
