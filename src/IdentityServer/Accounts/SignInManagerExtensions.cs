using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The one rule for whether a known user may have a session or tokens right now.</summary>
public static class SignInManagerExtensions
{
    /// <summary>
    /// True when <paramref name="user"/> may not sign in now: Identity refuses it (e.g. an unconfirmed account), or
    /// the account is locked out, which is also how an administrator disables it.
    /// </summary>
    public static async Task<bool> IsBarredAsync(this SignInManager<ApplicationUser> signIn, ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        return !await signIn.CanSignInAsync(user) || await signIn.UserManager.IsLockedOutAsync(user);
    }
}
