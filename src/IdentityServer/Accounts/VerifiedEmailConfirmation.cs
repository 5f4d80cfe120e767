using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// What "confirmed" means when <c>Accounts:RequireVerifiedEmail</c> is on: the account has no address, or a verified one.
/// </summary>
internal sealed class VerifiedEmailConfirmation : IUserConfirmation<ApplicationUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Task.FromResult(user.Email is null || user.EmailConfirmed);
    }
}
