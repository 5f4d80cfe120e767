using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Recovery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// The requirement of <see cref="Common.AuthorizationPolicies.AdminConsole"/>: the signed-in user has the <c>admin</c>
/// role and is not disabled, read from the database on each request rather than from the cookie's claims, so that a
/// demotion or a disable takes effect at once and not when the cookie is next refreshed.
/// </summary>
public sealed class AdminConsoleRequirement : IAuthorizationRequirement;

/// <summary>Checks <see cref="AdminConsoleRequirement"/>.</summary>
public sealed class AdminConsoleAccessHandler(UserManager<ApplicationUser> users) : AuthorizationHandler<AdminConsoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminConsoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (users.GetUserId(context.User) is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return;
        }

        if (!AccountLookup.IsDisabled(user) && await users.IsInRoleAsync(user, Roles.Admin))
        {
            context.Succeed(requirement);
        }
    }
}
