using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Checks a user name and password the same way wherever a user signs in (the password grant, the seed login,
/// the sign-in page): an unknown name still costs a password hash, every failure looks alike, wrong passwords
/// count towards lockout, and a lockout revokes the user's tokens.
/// </summary>
public sealed class PasswordCheck(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IPasswordHasher<ApplicationUser> hasher,
    TokenRevoker revoker,
    SecurityAudit audit)
{
    /// <summary>The one message every failed sign-in gets, whatever the reason.</summary>
    public const string Failure = "The username or password is incorrect.";

    /// <summary>The user, or null when the name is unknown, the password wrong, or the account locked or disabled.</summary>
    public async Task<ApplicationUser?> CheckAsync(string? rawUserName, string? rawPassword, CancellationToken cancellationToken)
    {
        var userName = AccountText.NormalizeUserName(rawUserName);
        var password = AccountText.NormalizePassword(rawPassword);
        var user = userName.Length == 0 ? null : await users.FindByNameAsync(userName);
        if (user is null)
        {
            // Note: hash anyway, so an unknown name costs the same time as a wrong password.
            hasher.VerifyHashedPassword(DummyUser.Instance, DummyUser.PasswordHash, password);
            audit.Write("login.failed", userId: null, "unknown user");
            return null;
        }

        // Note: an empty password is checked like any other, so it gets the same answer as a wrong one.
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        audit.Write(result.Succeeded ? "login.succeeded" : result.IsLockedOut ? "login.locked_out" : "login.failed", user.Id);
        if (result.IsLockedOut)
        {
            // Note: someone is guessing this password; whatever they may already hold stops working.
            await revoker.RevokeUserAsync(user.Id, "account locked out", cancellationToken);
        }

        return result.Succeeded ? user : null;
    }
}
