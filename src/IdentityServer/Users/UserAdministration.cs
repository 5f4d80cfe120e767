using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using IdentityHost.IdentityServer.Recovery;
using IdentityHost.IdentityServer.Sessions;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Users;

/// <summary>
/// What administrators do to accounts, for the admin console and <c>/api/users</c> alike: create (without a password:
/// the user sets one with a link mailed to them), disable, enable, set roles, delete, send a reset link, end sessions.
/// Each action is audited with the acting administrator's id in the detail. An administrator cannot disable, delete or
/// demote their own account, so the last one cannot lock everybody out.
/// </summary>
public sealed class UserAdministration(
    UserManager<ApplicationUser> users,
    IdentityHostDbContext database,
    UserDirectory directory,
    AccountEmails emails,
    TokenRevoker revoker,
    UserSessions sessions,
    PasswordRecovery recovery,
    Outbox outbox,
    SecurityAudit audit,
    TimeProvider clock,
    ILogger<UserAdministration> logger)
{
    /// <summary>The user <paramref name="id"/> as the console shows it, or null.</summary>
    public async Task<UserSummary?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        return user is null ? null : await SummaryAsync(user, cancellationToken);
    }

    /// <summary>The active sessions of the user <paramref name="id"/>, most recent first; null when there is no such user.</summary>
    public async Task<IReadOnlyList<SessionInfo>?> SessionsAsync(string id, CancellationToken cancellationToken) =>
        await database.Users.AnyAsync(user => user.Id == id, cancellationToken)
            ? await sessions.ListAsync(id, currentAuthorizationId: null, cancellationToken)
            : null;

    /// <summary>
    /// Creates an account with <paramref name="roles"/> and no password, and mails it a link to set one (the password
    /// reset link, valid for <c>Accounts:PasswordResetTokenLifetime</c>; an administrator can send another). The user, its
    /// roles and the mail are written in one transaction. No administrator ever sees or chooses the password.
    /// </summary>
    public async Task<UserCreation> CreateAsync(
        string? userName, string? email, IReadOnlyList<string> roles, string adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var errors = new Dictionary<string, List<string>>();
        var name = AccountText.NormalizeUserName(userName);
        var user = new ApplicationUser { UserName = name, CreatedAt = clock.GetUtcNow() };
        var (address, emailError) = AccountEmails.Read(email);
        if (address is null)
        {
            Add(errors, "email", emailError ?? "An email address is required: the new user sets their password with a link sent to it.");
        }
        else
        {
            emails.Assign(user, address, verified: false);
        }

        var nameTaken = false;
        if (name.Length == 0)
        {
            Add(errors, "username", "A username is required.");
        }
        else
        {
            foreach (var validator in users.UserValidators)
            {
                foreach (var error in (await validator.ValidateAsync(users, user)).Errors)
                {
                    if (error.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                    {
                        nameTaken = true;
                    }
                    else if (error.Code is not nameof(IdentityErrorDescriber.DuplicateEmail))
                    {
                        Add(errors, "username", error.Description);
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            return new UserCreation(null, false, false, errors.ToDictionary(pair => pair.Key, pair => pair.Value.Distinct().ToArray()));
        }

        if (nameTaken)
        {
            return UserCreation.NameTaken;
        }

        if (await emails.IsTakenAsync(address!, exceptUserId: null, cancellationToken))
        {
            return UserCreation.EmailTaken;
        }

        var invited = false;
        try
        {
            var strategy = database.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
                Check(await users.CreateAsync(user), "Creating the user");
                Check(await users.AddToRolesAsync(user, roles), "Adding the roles");
                invited = await recovery.AddResetMailAsync(user, limited: false, cancellationToken);
                await database.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException)
        {
            // Note: two administrators creating one name (or address) at once both pass the checks above; the unique
            // indexes let one insert win, and the other answers as if it had seen the name taken.
            database.ChangeTracker.Clear();
            var normalizedName = users.NormalizeName(name);
            if (await database.Users.AnyAsync(row => row.NormalizedUserName == normalizedName, cancellationToken))
            {
                logger.LogDebug(exception, "Creating a user lost a race for an already taken name");
                return UserCreation.NameTaken;
            }

            if (await emails.IsTakenAsync(address!, exceptUserId: null, cancellationToken))
            {
                logger.LogDebug(exception, "Creating a user lost a race for an already taken address");
                return UserCreation.EmailTaken;
            }

            throw;
        }

        outbox.Notify();
        audit.Write(AuditEvents.UserCreated, user.Id, $"with roles [{string.Join(", ", roles)}] {By(adminId)}");
        if (invited)
        {
            audit.Write(AuditEvents.PasswordResetSent, user.Id);
        }
        return new UserCreation(await SummaryAsync(user, cancellationToken), false, false, null);
    }

    /// <summary>
    /// Disables the account: a lockout that never ends (how ASP.NET Core Identity disables one; sign-in and refresh both
    /// check it), every token and authorization revoked, and a new security stamp, which ends its sessions on this
    /// server's pages.
    /// </summary>
    public async Task<AdminOutcome> DisableAsync(string id, string adminId, CancellationToken cancellationToken)
    {
        if (id == adminId)
        {
            return AdminOutcome.OwnAccount;
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return AdminOutcome.NotFound;
        }

        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user);
        await revoker.RevokeUserAsync(user.Id, "disabled " + By(adminId), cancellationToken);
        audit.Write(AuditEvents.UserDisabled, user.Id, By(adminId));
        return AdminOutcome.Done;
    }

    /// <summary>Enables the account again: ends a disable or a lockout of wrong passwords, and resets the count of those.</summary>
    public async Task<AdminOutcome> EnableAsync(string id, string adminId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return AdminOutcome.NotFound;
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Write(AuditEvents.UserEnabled, user.Id, By(adminId));
        return AdminOutcome.Done;
    }

    /// <summary>Gives the user exactly <paramref name="roles"/> (canonical names), in one transaction.</summary>
    public async Task<(AdminOutcome Outcome, UserSummary? User)> SetRolesAsync(
        string id, IReadOnlyList<string> roles, string adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (id == adminId && !roles.Contains(Roles.Admin))
        {
            return (AdminOutcome.OwnAccount, null);
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return (AdminOutcome.NotFound, null);
        }

        var before = await users.GetRolesAsync(user);
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            Check(await users.RemoveFromRolesAsync(user, before.Except(roles, StringComparer.OrdinalIgnoreCase)), "Removing roles");
            Check(await users.AddToRolesAsync(user, roles.Except(before, StringComparer.OrdinalIgnoreCase)), "Adding roles");
            // Note: the audit record commits with the change (Audit/AuditRecorder joins the open transaction).
            audit.Write(AuditEvents.UserRolesChanged, user.Id,
                $"from [{string.Join(", ", before.Order(StringComparer.Ordinal))}] to [{string.Join(", ", roles.Order(StringComparer.Ordinal))}] {By(adminId)}");
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        var summary = await SummaryAsync(user, cancellationToken);
        return (AdminOutcome.Done, summary);
    }

    /// <summary>Deletes the account after revoking its tokens and authorizations.</summary>
    public async Task<AdminOutcome> DeleteAsync(string id, string adminId, CancellationToken cancellationToken)
    {
        if (id == adminId)
        {
            return AdminOutcome.OwnAccount;
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return AdminOutcome.NotFound;
        }

        await revoker.RevokeUserAsync(user.Id, "deleted " + By(adminId), cancellationToken);
        Check(await users.DeleteAsync(user), "Deleting the user");
        audit.Write(AuditEvents.UserDeleted, user.Id, By(adminId));
        return AdminOutcome.Done;
    }

    /// <summary>Mails the user a password reset link (to their own address: nobody else ever sees it).</summary>
    public async Task<AdminOutcome> SendResetLinkAsync(string id, string adminId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return AdminOutcome.NotFound;
        }

        if (!await recovery.SendByAdministratorAsync(user, cancellationToken))
        {
            return AdminOutcome.NoEmail;
        }

        audit.Write(AuditEvents.ResetLinkSentByAdministrator, user.Id, By(adminId));
        return AdminOutcome.Done;
    }

    /// <summary>
    /// Ends every session of the user: the tokens of each login (a consent given to an app stays, its tokens end), and
    /// their sessions on this server's pages (a new security stamp). Returns how many logins ended, or null when there
    /// is no such user.
    /// </summary>
    public async Task<int?> EndSessionsAsync(string id, string adminId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return null;
        }

        var ended = await sessions.EndOthersAsync(user.Id, keepSessionId: null, cancellationToken);
        await users.UpdateSecurityStampAsync(user);
        audit.Write(AuditEvents.SessionsEndedByAdministrator, user.Id, $"{ended} sessions {By(adminId)}");
        return ended;
    }

    private async Task<UserSummary> SummaryAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var roles = await directory.RolesAsync([user.Id], cancellationToken);
        return UserSummary.For(user, roles.TryGetValue(user.Id, out var own) ? own : [], clock.GetUtcNow());
    }

    private static string By(string adminId) => "by administrator " + adminId;

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed: " + string.Join("; ", result.Errors.Select(error => error.Code)));
        }
    }
}

/// <summary>How an administrator's action on an account ended.</summary>
public enum AdminOutcome
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No user has the id.</summary>
    NotFound,

    /// <summary>Refused: administrators cannot disable, delete or demote their own account.</summary>
    OwnAccount,

    /// <summary>The user has no email address to send a link to.</summary>
    NoEmail,
}

/// <summary>The outcome of <see cref="UserAdministration.CreateAsync"/>: the new user, or why there is none.</summary>
public sealed record UserCreation(UserSummary? User, bool IsNameTaken, bool IsEmailTaken, IDictionary<string, string[]>? Errors)
{
    /// <summary>Another account has the name.</summary>
    public static UserCreation NameTaken { get; } = new(null, true, false, null);

    /// <summary>Another account has the address (when addresses are unique).</summary>
    public static UserCreation EmailTaken { get; } = new(null, false, true, null);
}
