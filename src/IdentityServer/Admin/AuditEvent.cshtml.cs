using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>One audit event (<c>/admin/audit/{id}</c>), with links to its user and client.</summary>
public sealed class AuditEventModel(UserManager<ApplicationUser> users, AuditSearch search) : AdminPage(users)
{
    public AuditRecord Record { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (await search.FindAsync(id, HttpContext.RequestAborted) is not { } record)
        {
            return NotFound();
        }

        Record = record;
        return Page();
    }
}
