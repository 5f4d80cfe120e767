using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Checks a user name and password the same way wherever a user signs in (the password grant, the seed login,
/// the sign-in page): an unknown name still costs a password hash, every failure looks alike, wrong passwords
/// count towards lockout. A lockout bars addresses the user has not signed in from before (see
/// <see cref="KnownAddresses"/>); it revokes nothing, since whoever holds the user's tokens needs no password.
/// </summary>
public sealed class PasswordCheck(
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IPasswordHasher<ApplicationUser> hasher,
    KnownAddresses knownAddresses,
    SecurityAudit audit,
    IdentityHostMetrics metrics,
    IdentityHostDbContext database,
    IOptions<AccountOptions> options,
    IOptions<PasswordHasherOptions> hasherOptions,
    TimeProvider clock)
{
    /// <summary>The one message every failed sign-in gets, whatever the reason.</summary>
    public const string Failure = "The username or password is incorrect.";

    /// <summary>
    /// Set by <see cref="CheckAsync"/> when it refused the right password only because the account's address is not
    /// verified yet (<c>Accounts:RequireVerifiedEmail</c>): the sign-in page then offers a new link. Note: only someone who
    /// knows the password learns this.
    /// </summary>
    public bool EmailUnverified { get; private set; }

    /// <summary>The <c>method</c> tag of the sign-ins this check counts.</summary>
    private const string Method = "password";

    /// <summary>The user, or null when the name is unknown, the password wrong, or the account locked or disabled.</summary>
    public async Task<ApplicationUser?> CheckAsync(string? rawUserName, string? rawPassword, CancellationToken cancellationToken)
    {
        var userName = AccountText.NormalizeUserName(rawUserName);
        var password = AccountText.NormalizePassword(rawPassword);
        var user = userName.Length == 0 ? null : await users.FindByNameAsync(userName);
        if (user is null)
        {
            // Note: hash anyway, so an unknown name costs the same time as a wrong password.
            hasher.VerifyHashedPassword(DummyUser.Instance, DummyUser.GetPasswordHash(hasherOptions), password);
            await CountFailureAsync(DummyUser.Instance.Id, cancellationToken);
            audit.Write(AuditEvents.LoginFailed, userId: null, "unknown user");
            metrics.SignIn(Method, SignInResults.Failed);
            return null;
        }

        // Note: a locked account is checked like any other (same hash cost, same answer), and an empty password
        // gets the same answer as a wrong one.
        var barred = await signIn.IsBarredAsync(user) &&
                     !(IsLockedByGuesses(user) && await signIn.CanSignInAsync(user) &&
                       await knownAddresses.IsCurrentKnownAsync(user.Id, cancellationToken));
        var passwordMatches = await users.CheckPasswordAsync(user, password);
        if (barred)
        {
            EmailUnverified = passwordMatches && !await signIn.CanSignInAsync(user) && !await users.IsLockedOutAsync(user);
            await CountFailureAsync(DummyUser.Instance.Id, cancellationToken);
            audit.Write(AuditEvents.LoginFailed, user.Id, "account locked or disabled");
            metrics.SignIn(Method, SignInResults.Refused);
            return null;
        }

        if (passwordMatches)
        {
            if (user.AccessFailedCount > 0 || IsLockedByGuesses(user))
            {
                // Note: the owner, from an address they used before, ends a lockout others' guesses caused.
                await database.Users.Where(row => row.Id == user.Id)
                    .ExecuteUpdateAsync(set => set
                        .SetProperty(row => row.AccessFailedCount, 0)
                        .SetProperty(row => row.LockoutEnd, (DateTimeOffset?)null), cancellationToken);
                user.AccessFailedCount = 0;
                user.LockoutEnd = null;
            }

            await knownAddresses.RememberCurrentAsync(user.Id, cancellationToken);
            audit.Write(AuditEvents.LoginSucceeded, user.Id);
            metrics.SignIn(Method, SignInResults.Succeeded);
            return user;
        }

        if (await CountFailureAsync(user.Id, cancellationToken) is { } lockoutEnd)
        {
            audit.Write(AuditEvents.LoginLockedOut, user.Id, "until " + lockoutEnd.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            metrics.SignIn(Method, SignInResults.LockedOut);
            metrics.Lockout();
        }
        else
        {
            audit.Write(AuditEvents.LoginFailed, user.Id);
            metrics.SignIn(Method, SignInResults.Failed);
        }

        return null;
    }

    /// <summary>
    /// Counts a wrong password in the database itself (an atomic increment, so 50 parallel wrong passwords count
    /// 50, where Identity's read-modify-write would lose some to concurrency), and locks the account when the count
    /// reaches the threshold; exactly one of the racing requests performs the lockout and gets its end back.
    /// Unknown names and barred accounts run the same two statements against an id no row has, so every failure
    /// costs the same database round trips as a wrong password (the enumeration timing tests measure it).
    /// </summary>
    private async Task<DateTimeOffset?> CountFailureAsync(string userId, CancellationToken cancellationToken)
    {
        var threshold = options.Value.LockoutThreshold;
        await database.Users.Where(row => row.Id == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(row => row.AccessFailedCount, row => row.AccessFailedCount + 1), cancellationToken);
        var lockoutEnd = clock.GetUtcNow() + options.Value.LockoutDuration;
        var locked = await database.Users
            .Where(row => row.Id == userId && row.LockoutEnabled && row.AccessFailedCount >= threshold)
            .ExecuteUpdateAsync(set => set
                .SetProperty(row => row.AccessFailedCount, 0)
                .SetProperty(row => row.LockoutEnd, lockoutEnd), cancellationToken);
        return locked == 0 ? null : lockoutEnd;
    }

    /// <summary>
    /// A lockout wrong passwords caused, as opposed to an administrator's (which never ends) or none; only this kind
    /// lets the owner in from a known address.
    /// </summary>
    private bool IsLockedByGuesses(ApplicationUser user) =>
        // Note: MySQL keeps DateTimeOffset.MaxValue to the microsecond only, so "never ends" is recognised by its year.
        user.LockoutEnd is { } end && end.UtcDateTime.Year < 9999 && end > clock.GetUtcNow();
}
