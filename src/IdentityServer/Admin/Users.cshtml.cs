using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>The users list (<c>/admin/users</c>): search by the prefix of the name or address, a page at a time (<see cref="UserDirectory"/>).</summary>
public sealed class UsersModel(UserManager<ApplicationUser> users, UserDirectory directory) : AdminPage(users)
{
    /// <summary>Users per page.</summary>
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public UserPage Results { get; private set; } = new([], null);

    public string? Error { get; private set; }

    public async Task OnGetAsync()
    {
        if (Search?.Length > UserDirectory.MaxSearchLength)
        {
            Error = "The search is longer than 256 characters.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var page = await directory.SearchAsync(Search, string.IsNullOrEmpty(Cursor) ? null : Cursor, PageSize, HttpContext.RequestAborted);
        if (page is null)
        {
            Error = "This page link belongs to another search; search again.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Results = page;
    }
}
