using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Recovery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// The requirement of <see cref="Common.AuthorizationPolicies.AdminConsole"/>: the signed-in user has the <c>admin</c>
/// role and is not disabled, read from the database on each request rather than from the cookie's claims, so that a
/// demotion or a disable takes effect at once and not when the cookie is next refreshed. Where the role needs a second
/// factor (<c>Accounts:Mfa:RequiredForRoles</c>, <c>admin</c> by default), the session must also have been started with
/// one (<c>amr</c> <c>mfa</c>): a session from before the user was made an administrator, or before the rule was set,
/// does not open the console until the user signs in again.
/// </summary>
public sealed class AdminConsoleRequirement : IAuthorizationRequirement;

/// <summary>Checks <see cref="AdminConsoleRequirement"/>.</summary>
public sealed class AdminConsoleAccessHandler(UserManager<ApplicationUser> users, SecondFactors factors) : AuthorizationHandler<AdminConsoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminConsoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (users.GetUserId(context.User) is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return;
        }

        if (AccountLookup.IsDisabled(user) || !await users.IsInRoleAsync(user, Roles.Admin))
        {
            return;
        }

        if (await factors.IsRequiredForAsync(user) &&
            !context.User.HasClaim(ClaimNames.AuthenticationMethods, AuthenticationMethods.MultipleFactors))
        {
            return;
        }

        context.Succeed(requirement);
    }
}
