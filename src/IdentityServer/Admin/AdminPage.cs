using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>What every console page needs: the signed-in administrator's id, for the audit of what they do.</summary>
public abstract class AdminPage(UserManager<ApplicationUser> users) : PageModel
{
    /// <summary>The signed-in administrator's user id (the policy let only a signed-in user through).</summary>
    protected string AdminId => users.GetUserId(User) ?? string.Empty;

    /// <summary>The accounts, for pages that act on one directly.</summary>
    protected UserManager<ApplicationUser> Accounts => users;

    /// <summary>A message for the next page, after a redirect (post, redirect, get).</summary>
    [TempData]
    public string? Status { get; set; }
}
