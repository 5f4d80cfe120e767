using System.Globalization;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>
/// Self-service password reset. Asking for a link (<see cref="RequestAsync"/>) does the same work whatever the account:
/// it writes one outbox request and answers, so neither the answer nor its time tells whether the account exists or has
/// an address; <see cref="PasswordResetRequestHandler"/> looks the account up in the background. Using a link
/// (<see cref="ResetAsync"/>) sets the password, ends every session and refresh token (new security stamp, revocation),
/// clears a lockout that wrong guesses caused, and tells the user by mail.
/// </summary>
public sealed class PasswordRecovery(
    IdentityHostDbContext database,
    UserManager<ApplicationUser> users,
    AccountTokens tokens,
    Outbox outbox,
    MailLinks links,
    TokenRevoker revoker,
    SecurityAudit audit,
    IOptions<AccountOptions> options,
    TimeProvider clock)
{
    /// <summary>The outbox kind of a "forgot password" request.</summary>
    public const string RequestKind = "password_reset_request";

    /// <summary>Asks for a reset link for the account <paramref name="usernameOrEmail"/> names, if any.</summary>
    public async Task RequestAsync(string usernameOrEmail, CancellationToken cancellationToken)
    {
        outbox.AddRequest(RequestKind, userId: null, usernameOrEmail);
        await database.SaveChangesAsync(cancellationToken);
        outbox.Notify();
        audit.Write(AuditEvents.PasswordResetRequested, userId: null);
    }

    /// <summary>
    /// Adds a reset link for <paramref name="user"/> to the context, replacing older links: false when it has no address or
    /// has had its hourly share (<paramref name="limited"/>). The caller saves, and then writes
    /// <see cref="AuditEvents.PasswordResetSent"/>, so a save that fails leaves no event for a mail never sent.
    /// </summary>
    public async Task<bool> AddResetMailAsync(ApplicationUser user, bool limited, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Email is null)
        {
            return false;
        }

        var settings = options.Value;
        var token = await tokens.IssueAsync(user.Id, AccountTokens.PasswordReset, user.Email, settings.PasswordResetTokenLifetime,
            limited ? settings.RecoveryMailsPerHour : int.MaxValue, cancellationToken);
        if (token is null)
        {
            audit.Write(AuditEvents.PasswordResetThrottled, user.Id);
            return false;
        }

        outbox.AddMail(user.Id, user.Email, "password-reset", new Dictionary<string, string>
        {
            ["UserName"] = user.UserName!,
            ["Link"] = links.Build(RouteNames.ResetPasswordPage, new Dictionary<string, string?> { ["token"] = token }).AbsoluteUri,
            ["Lifetime"] = AccountTokens.Describe(settings.PasswordResetTokenLifetime),
        });
        return true;
    }

    /// <summary>An administrator's reset link for <paramref name="user"/>: false when it has no address.</summary>
    public async Task<bool> SendByAdministratorAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        for (var attempt = 1; ; attempt++)
        {
            if (!await AddResetMailAsync(user, limited: false, cancellationToken))
            {
                return false;
            }

            try
            {
                await database.SaveChangesAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException exception) when (attempt < 3 && DatabaseFailures.IsLostRace(exception))
            {
                // Note: the user's own "forgot password" request, handled in the background, stored the first link of
                // this account at the same moment; the next attempt reads that row and replaces its link.
                database.ChangeTracker.Clear();
            }
        }

        audit.Write(AuditEvents.PasswordResetSent, user.Id);
        outbox.Notify();
        return true;
    }

    /// <summary>Sets a new password with a reset link's token.</summary>
    public async Task<PasswordResetResult> ResetAsync(string? token, string newPassword, CancellationToken cancellationToken)
    {
        var grant = await tokens.ReadAsync(token, AccountTokens.PasswordReset, cancellationToken);
        var user = grant is null ? null : await database.Users.SingleOrDefaultAsync(row => row.Id == grant.UserId, cancellationToken);
        if (grant is null || user is null)
        {
            audit.Write(AuditEvents.PasswordResetFailed, grant?.UserId, "invalid, used or expired token");
            return PasswordResetResult.InvalidToken;
        }

        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            errors.AddRange((await validator.ValidateAsync(users, user, newPassword)).Errors.Select(error => error.Description));
        }

        if (errors.Count > 0)
        {
            return PasswordResetResult.Invalid([.. errors.Distinct()]);
        }

        // Note: hashed before the transaction, so the write lock is held for milliseconds, not for PBKDF2.
        var hash = users.PasswordHasher.HashPassword(user, newPassword);
        var now = clock.GetUtcNow();
        var strategy = database.Database.CreateExecutionStrategy();
        var done = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            if (!await tokens.ConsumeAsync(grant, cancellationToken))
            {
                return false;
            }

            user.PasswordHash = hash;
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            user.ConcurrencyStamp = Guid.NewGuid().ToString();
            user.AccessFailedCount = 0;
            if (!AccountLookup.IsDisabled(user))
            {
                // Note: a lockout wrong guesses caused ends (the link proves the mailbox); an administrator's disable stays.
                user.LockoutEnd = null;
            }

            if (user.Email is not null && string.Equals(users.NormalizeEmail(grant.Address), user.NormalizedEmail, StringComparison.Ordinal))
            {
                // Note: the link reached this address, which proves it.
                user.EmailConfirmed = true;
            }

            if (user.Email is not null)
            {
                outbox.AddMail(user.Id, user.Email, "password-changed", new Dictionary<string, string>
                {
                    ["UserName"] = user.UserName!,
                    ["Time"] = now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
                });
            }

            audit.Write(AuditEvents.PasswordReset, user.Id);
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!done)
        {
            database.ChangeTracker.Clear();
            audit.Write(AuditEvents.PasswordResetFailed, user.Id, "token used meanwhile");
            return PasswordResetResult.InvalidToken;
        }

        outbox.Notify();
        await revoker.RevokeUserAsync(user.Id, "password reset", cancellationToken);
        return PasswordResetResult.Done;
    }
}

/// <summary>The outcome of <see cref="PasswordRecovery.ResetAsync"/>.</summary>
public sealed record PasswordResetResult(bool Succeeded, bool TokenInvalid, IReadOnlyList<string> PasswordErrors)
{
    public static PasswordResetResult Done { get; } = new(true, false, []);

    public static PasswordResetResult InvalidToken { get; } = new(false, true, []);

    public static PasswordResetResult Invalid(IReadOnlyList<string> errors) => new(false, false, errors);
}
