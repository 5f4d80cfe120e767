using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>The outcome of a second-factor check.</summary>
public enum SecondFactorResult
{
    /// <summary>The code was right and is now spent.</summary>
    Succeeded,

    /// <summary>The code was wrong, replayed or malformed; it counted towards the second step's lockout.</summary>
    Failed,

    /// <summary>The second step is locked: the code was not even looked at.</summary>
    LockedOut,

    /// <summary>The user has no second factor.</summary>
    NotEnrolled,
}

/// <summary>An authenticator being enrolled: the key as text, and the URI an app scans (<see cref="QrCodes"/> draws it).</summary>
public sealed record TotpSetup(string Key, string GroupedKey, string Uri);

/// <summary>What the account page shows of a user's second factors.</summary>
public sealed record MfaStatus(bool Enrolled, DateTime? EnabledAt, int RecoveryCodesLeft, DateTime? LockedUntil, int PasskeyCount = 0);

/// <summary>
/// A user's second factors: enrolling an authenticator (TOTP), checking a code once and only once, recovery codes, and
/// removing everything. Second-factor failures are counted apart from wrong passwords: too many lock the second step for
/// <see cref="MfaOptions.LockoutDuration"/>, never the account. Note: each attempt takes one of the
/// <see cref="MfaOptions.LockoutThreshold"/> slots with one atomic UPDATE before its code is looked at, so however many
/// requests race, no more codes are tried than the threshold allows, and exactly one of them performs the lockout.
/// </summary>
public sealed class SecondFactors(
    IdentityHostDbContext database,
    UserManager<ApplicationUser> users,
    IDataProtectionProvider protection,
    Outbox outbox,
    MailLinks links,
    SecurityAudit audit,
    IOptions<MfaOptions> options,
    TimeProvider clock)
{
    /// <summary>How many recovery codes a set holds.</summary>
    public const int RecoveryCodeCount = 10;

    private const string RecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    private const int RecoveryCodeLength = 10;

    private readonly IDataProtector _keys = protection.CreateProtector("IdentityHost.Mfa.TotpKey");

    /// <summary>Whether the user has an authenticator app switched on (the factor of codes and recovery codes).</summary>
    public Task<bool> IsEnrolledAsync(string userId, CancellationToken cancellationToken) =>
        database.UserMfa.AnyAsync(row => row.UserId == userId && row.TotpKey != null, cancellationToken);

    /// <summary>Whether the user has a passkey (<see cref="Passkeys"/>).</summary>
    public Task<bool> HasPasskeyAsync(string userId, CancellationToken cancellationToken) =>
        database.UserPasskeys.AnyAsync(passkey => passkey.UserId == userId, cancellationToken);

    /// <summary>Whether the user has any second factor: an authenticator app or a passkey.</summary>
    public async Task<bool> HasSecondFactorAsync(string userId, CancellationToken cancellationToken) =>
        await IsEnrolledAsync(userId, cancellationToken) || await HasPasskeyAsync(userId, cancellationToken);

    /// <summary>Whether one of the user's roles is in <see cref="MfaOptions.RequiredForRoles"/>.</summary>
    public async Task<bool> IsRequiredForAsync(ApplicationUser user)
    {
        var required = options.Value.RequiredForRoles;
        if (required.Count == 0)
        {
            return false;
        }

        var roles = await users.GetRolesAsync(user);
        return roles.Any(role => required.Contains(role, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>What the account page shows.</summary>
    public async Task<MfaStatus> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await database.UserMfa.AsNoTracking().FirstOrDefaultAsync(mfa => mfa.UserId == userId, cancellationToken);
        var left = await database.RecoveryCodes.CountAsync(code => code.UserId == userId && code.UsedAt == null, cancellationToken);
        var passkeys = await database.UserPasskeys.CountAsync(passkey => passkey.UserId == userId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return new MfaStatus(row?.TotpKey is not null, row?.TotpEnabledAt, left, row?.LockoutEnd > now ? row.LockoutEnd : null, passkeys);
    }

    /// <summary>
    /// The authenticator being enrolled: the one shown before if there is one (a reload shows the same key), else a new key.
    /// Nothing changes for sign-in until <see cref="ConfirmTotpAsync"/>.
    /// </summary>
    public async Task<TotpSetup> BeginTotpAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var row = await RowAsync(user.Id, cancellationToken);
        if (row.PendingTotpKey is null)
        {
            row.PendingTotpKey = _keys.Protect(Totp.NewKey());
            await database.SaveChangesAsync(cancellationToken);
        }

        var key = _keys.Unprotect(row.PendingTotpKey);
        var uri = Totp.Uri(options.Value.Issuer, user.UserName!, key);
        return new TotpSetup(key, Totp.Grouped(key), uri);
    }

    /// <summary>
    /// Switches the enrolled authenticator on once <paramref name="code"/> is a valid code of its key, replacing any earlier
    /// one, and returns the new recovery codes (shown once); null when the code is not valid.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ConfirmTotpAsync(ApplicationUser user, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var row = await RowAsync(user.Id, cancellationToken);
        var digits = Totp.Normalize(code);
        if (row.PendingTotpKey is null || digits is null ||
            Totp.Match(_keys.Unprotect(row.PendingTotpKey), digits, Totp.TimeStep(clock.GetUtcNow())) is not { } step)
        {
            return null;
        }

        var codes = NewRecoveryCodes();
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            row.TotpKey = row.PendingTotpKey;
            row.PendingTotpKey = null;
            row.TotpEnabledAt = clock.GetUtcNow().UtcDateTime;
            // Note: the confirming code is spent, so it cannot also be the first sign-in's.
            row.TotpLastTimeStep = step;
            row.FailedCount = 0;
            row.LockoutEnd = null;
            await ReplaceRecoveryCodesAsync(user.Id, codes, cancellationToken);
            AddMail(user, "mfa-changed", "An authenticator app was set up as the second factor of your account");
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        outbox.Notify();
        audit.Write(AuditEvents.MfaEnabled, user.Id, "authenticator");
        return codes;
    }

    /// <summary>A new set of recovery codes, voiding the old one; null when the user has no second factor.</summary>
    public async Task<IReadOnlyList<string>?> RegenerateRecoveryCodesAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!await IsEnrolledAsync(user.Id, cancellationToken))
        {
            return null;
        }

        var codes = NewRecoveryCodes();
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            await ReplaceRecoveryCodesAsync(user.Id, codes, cancellationToken);
            AddMail(user, "mfa-changed", "New recovery codes were made for your account, and the old ones stopped working");
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        outbox.Notify();
        audit.Write(AuditEvents.RecoveryCodesRegenerated, user.Id);
        return codes;
    }

    /// <summary>
    /// Checks a second factor: an authenticator code, or (when <paramref name="allowRecoveryCode"/>) a recovery code. A
    /// right code is spent at once (an authenticator code's time step, a recovery code's row), atomically, so a code
    /// sent twice at once works once.
    /// </summary>
    public async Task<(SecondFactorResult Result, string? Method)> VerifyAsync(
        ApplicationUser user, string? code, bool allowRecoveryCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var row = await database.UserMfa.AsNoTracking()
            .Where(mfa => mfa.UserId == user.Id && mfa.TotpKey != null)
            .Select(mfa => new { mfa.TotpKey })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return (SecondFactorResult.NotEnrolled, null);
        }

        var now = clock.GetUtcNow();
        var threshold = options.Value.LockoutThreshold;
        var utcNow = now.UtcDateTime;
        var slot = await database.UserMfa
            .Where(mfa => mfa.UserId == user.Id && mfa.FailedCount < threshold && (mfa.LockoutEnd == null || mfa.LockoutEnd <= utcNow))
            .ExecuteUpdateAsync(set => set.SetProperty(mfa => mfa.FailedCount, mfa => mfa.FailedCount + 1), cancellationToken);
        if (slot == 0)
        {
            audit.Write(AuditEvents.MfaFailed, user.Id, "second step locked");
            return (SecondFactorResult.LockedOut, null);
        }

        var method = await SpendAsync(user, row.TotpKey!, code, allowRecoveryCode, now, cancellationToken);
        if (method is not null)
        {
            await database.UserMfa.Where(mfa => mfa.UserId == user.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(mfa => mfa.FailedCount, 0), cancellationToken);
            audit.Write(AuditEvents.MfaSucceeded, user.Id, method);
            return (SecondFactorResult.Succeeded, method);
        }

        var lockoutEnd = utcNow + options.Value.LockoutDuration;
        var locked = await database.UserMfa
            .Where(mfa => mfa.UserId == user.Id && mfa.FailedCount >= threshold && (mfa.LockoutEnd == null || mfa.LockoutEnd <= utcNow))
            .ExecuteUpdateAsync(set => set
                .SetProperty(mfa => mfa.FailedCount, 0)
                .SetProperty(mfa => mfa.LockoutEnd, lockoutEnd), cancellationToken);
        audit.Write(locked == 1 ? AuditEvents.MfaLockedOut : AuditEvents.MfaFailed, user.Id,
            locked == 1 ? "until " + lockoutEnd.ToString("o", CultureInfo.InvariantCulture) : "wrong code");
        return (SecondFactorResult.Failed, null);
    }

    /// <summary>
    /// Removes the user's authenticator and recovery codes and tells them by mail; false when there was nothing to remove.
    /// <paramref name="byAdministrator"/> names who did it in the audit and the mail; an administrator's reset (for a lost
    /// phone or a lost security key) removes the user's passkeys too, while a user removes theirs one by one on the
    /// passkeys page.
    /// </summary>
    public async Task<bool> RemoveAsync(ApplicationUser user, string? byAdministrator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var removed = false;
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            removed = await IsEnrolledAsync(user.Id, cancellationToken);
            await database.UserMfa.Where(mfa => mfa.UserId == user.Id).DeleteRowsAsync(database, cancellationToken);
            await database.RecoveryCodes.Where(recovery => recovery.UserId == user.Id).DeleteRowsAsync(database, cancellationToken);
            if (byAdministrator is not null)
            {
                removed |= await database.UserPasskeys.Where(passkey => passkey.UserId == user.Id).DeleteRowsAsync(database, cancellationToken) > 0;
            }

            if (removed)
            {
                AddMail(user, "mfa-changed", byAdministrator is null
                    ? "The second factors of your account (authenticator app and recovery codes) were removed"
                    : "An administrator reset the second factors of your account (authenticator app, recovery codes and passkeys)");
                await database.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        if (removed)
        {
            outbox.Notify();
            audit.Write(byAdministrator is null ? AuditEvents.MfaRemoved : AuditEvents.MfaReset, user.Id,
                byAdministrator is null ? null : "by " + byAdministrator);
        }

        return removed;
    }

    /// <summary>Spends <paramref name="code"/> if it is right: the method (<c>otp</c>, or <c>recovery</c>), else null.</summary>
    private async Task<string?> SpendAsync(
        ApplicationUser user, string protectedKey, string? code, bool allowRecoveryCode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Totp.Normalize(code) is { } digits)
        {
            if (Totp.Match(_keys.Unprotect(protectedKey), digits, Totp.TimeStep(now)) is not { } step)
            {
                return null;
            }

            // Note: a step is accepted only after the last accepted one: a replayed code, or one older than the last used, fails.
            var spent = await database.UserMfa.Where(mfa => mfa.UserId == user.Id && mfa.TotpLastTimeStep < step)
                .ExecuteUpdateAsync(set => set.SetProperty(mfa => mfa.TotpLastTimeStep, step), cancellationToken);
            return spent == 1 ? "otp" : null;
        }

        if (!allowRecoveryCode || NormalizeRecoveryCode(code) is not { } recovery)
        {
            return null;
        }

        // Note: the codes of a set share one salt, so the code's hash is computed once and found by one UPDATE.
        var salt = await database.RecoveryCodes.Where(row => row.UserId == user.Id && row.UsedAt == null)
            .Select(row => row.Salt).FirstOrDefaultAsync(cancellationToken);
        if (salt is null)
        {
            return null;
        }

        var hash = HashRecoveryCode(salt, recovery);
        var used = false;
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            var usedAt = now.UtcDateTime;
            used = await database.RecoveryCodes.Where(row => row.UserId == user.Id && row.Hash == hash && row.UsedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(row => row.UsedAt, usedAt), cancellationToken) == 1;
            if (used && user.Email is not null)
            {
                var left = await database.RecoveryCodes.CountAsync(row => row.UserId == user.Id && row.UsedAt == null, cancellationToken);
                outbox.AddMail(user.Id, user.Email, "recovery-code-used", new Dictionary<string, string>
                {
                    ["UserName"] = user.UserName!,
                    ["Time"] = now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["Remaining"] = left.ToString(CultureInfo.InvariantCulture),
                    ["AccountLink"] = links.Build(RouteNames.TwoFactorPage, new Dictionary<string, string?>()).AbsoluteUri,
                    ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
                });
                await database.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        if (!used)
        {
            return null;
        }

        outbox.Notify();
        audit.Write(AuditEvents.RecoveryCodeUsed, user.Id);
        return "recovery";
    }

    private async Task<UserMfa> RowAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await database.UserMfa.FirstOrDefaultAsync(mfa => mfa.UserId == userId, cancellationToken);
        if (row is null)
        {
            row = new UserMfa { UserId = userId };
            database.UserMfa.Add(row);
        }

        return row;
    }

    private async Task ReplaceRecoveryCodesAsync(string userId, IReadOnlyList<string> codes, CancellationToken cancellationToken)
    {
        await database.RecoveryCodes.Where(row => row.UserId == userId).DeleteRowsAsync(database, cancellationToken);
        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        foreach (var code in codes)
        {
            database.RecoveryCodes.Add(new RecoveryCode { UserId = userId, Salt = salt, Hash = HashRecoveryCode(salt, NormalizeRecoveryCode(code)!) });
        }
    }

    private void AddMail(ApplicationUser user, string template, string change)
    {
        if (user.Email is null)
        {
            return;
        }

        outbox.AddMail(user.Id, user.Email, template, new Dictionary<string, string>
        {
            ["UserName"] = user.UserName!,
            ["Change"] = change,
            ["Time"] = clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
        });
    }

    /// <summary>Ten new codes of ten characters (about 49 bits each), shown as <c>abcde-fghjk</c>.</summary>
    private static string[] NewRecoveryCodes() =>
    [
        .. Enumerable.Range(0, RecoveryCodeCount).Select(_ =>
        {
            var code = RandomNumberGenerator.GetString(RecoveryAlphabet, RecoveryCodeLength);
            return code[..5] + "-" + code[5..];
        }),
    ];

    /// <summary>A recovery code as typed, without dashes and spaces, lower case; null when it cannot be one.</summary>
    public static string? NormalizeRecoveryCode(string? code)
    {
        var text = new string((code ?? string.Empty).Where(character => character is not (' ' or '-')).Select(char.ToLowerInvariant).ToArray());
        return text.Length == RecoveryCodeLength && text.All(character => RecoveryAlphabet.Contains(character, StringComparison.Ordinal)) ? text : null;
    }

    /// <summary>
    /// The stored form of a recovery code: PBKDF2-HMAC-SHA256 with the set's random 128-bit salt, as ASVS 5.0 V6.5.2 asks
    /// of lookup secrets under 112 bits. Note: 10,000 iterations, not a password's 100,000 or more: the codes are random
    /// (about 49 bits, not chosen by people), so 2^49 guesses at this cost each are out of reach offline, and making a set
    /// hashes ten codes at once.
    /// </summary>
    private static string HashRecoveryCode(string salt, string normalized) =>
        Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(normalized), Convert.FromHexString(salt), RecoveryCodeIterations, HashAlgorithmName.SHA256, 32));

    private const int RecoveryCodeIterations = 10_000;
}
