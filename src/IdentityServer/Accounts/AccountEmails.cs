using System.Globalization;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// A user's email address: reading and checking one, the verification link (sent through the outbox in the caller's
/// transaction), verifying it, and changing the address, which takes effect only once the new one is verified.
/// </summary>
public sealed class AccountEmails(
    IdentityHostDbContext database,
    ILookupNormalizer normalizer,
    AccountTokens tokens,
    Outbox outbox,
    MailLinks links,
    IOptions<AccountOptions> options,
    SecurityAudit audit,
    TimeProvider clock)
{
    /// <summary>The address to store for <paramref name="raw"/>, or the error to answer: null input gives neither.</summary>
    public static (string? Address, string? Error) Read(string? raw)
    {
        var address = AccountText.NormalizeEmail(raw);
        return address is null ? (null, null) : (AccountText.EmailError(address) is { } error ? (null, error) : (address, null));
    }

    /// <summary>Whether another account than <paramref name="exceptUserId"/> has <paramref name="address"/>, when addresses are unique.</summary>
    public async Task<bool> IsTakenAsync(string address, string? exceptUserId, CancellationToken cancellationToken)
    {
        if (!options.Value.RequireUniqueEmail)
        {
            return false;
        }

        var key = normalizer.NormalizeEmail(address);
        return await database.Users.AnyAsync(user => user.UniqueEmail == key && user.Id != exceptUserId, cancellationToken);
    }

    /// <summary>Gives <paramref name="user"/> the address (not verified), with the unique key when addresses are unique.</summary>
    public void Assign(ApplicationUser user, string address, bool verified)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Email = address;
        user.NormalizedEmail = normalizer.NormalizeEmail(address);
        user.UniqueEmail = options.Value.RequireUniqueEmail ? user.NormalizedEmail : null;
        user.EmailConfirmed = verified;
        // Note: written with SaveChanges rather than through UserManager, so the concurrency stamp is renewed here as
        // Identity's store would.
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
    }

    /// <summary>
    /// Adds a verification link for <paramref name="address"/> (the account's own, or the one it is changing to) to the
    /// context: a new token, replacing older links, and the mail. The caller saves and commits. False when the account has
    /// had its hourly share of such mails.
    /// </summary>
    public async Task<bool> AddVerificationAsync(ApplicationUser user, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var settings = options.Value;
        var token = await tokens.IssueAsync(
            user.Id, AccountTokens.EmailVerification, address, settings.EmailTokenLifetime, settings.RecoveryMailsPerHour, cancellationToken);
        if (token is null)
        {
            return false;
        }

        outbox.AddMail(user.Id, address, "verify-email", new Dictionary<string, string>
        {
            ["UserName"] = user.UserName!,
            ["Link"] = links.Build(RouteNames.VerifyEmailPage, new Dictionary<string, string?> { ["token"] = token }).AbsoluteUri,
            ["Lifetime"] = AccountTokens.Describe(settings.EmailTokenLifetime),
        });
        audit.Write(AuditEvents.EmailVerificationSent, user.Id);
        return true;
    }

    /// <summary>
    /// The address waiting for verification: the new one of a change asked for, else the account's own if it is not
    /// verified; null when there is none.
    /// </summary>
    public async Task<string?> PendingAddressAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var pending = await tokens.AddressOfAsync(user.Id, AccountTokens.EmailVerification, cancellationToken);
        if (pending is not null && !string.Equals(normalizer.NormalizeEmail(pending), user.NormalizedEmail, StringComparison.Ordinal))
        {
            return pending;
        }

        return user.Email is not null && !user.EmailConfirmed ? user.Email : null;
    }

    /// <summary>
    /// Adds a new verification link for the address waiting for it (see <see cref="PendingAddressAsync"/>) to the context;
    /// false when there is none, or the account had its hourly share.
    /// </summary>
    public async Task<bool> AddResendAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var address = await PendingAddressAsync(user, cancellationToken);
        return address is not null && await AddVerificationAsync(user, address, cancellationToken);
    }

    /// <summary>
    /// Asks for <paramref name="user"/>'s address to become <paramref name="address"/>: sends the verification link there.
    /// The account keeps its old address until the link is used.
    /// </summary>
    public async Task<EmailChangeResult> RequestChangeAsync(ApplicationUser user, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await IsTakenAsync(address, user.Id, cancellationToken))
        {
            return EmailChangeResult.Taken;
        }

        if (string.Equals(normalizer.NormalizeEmail(address), user.NormalizedEmail, StringComparison.Ordinal) && user.EmailConfirmed)
        {
            return EmailChangeResult.Unchanged;
        }

        if (!await AddVerificationAsync(user, address, cancellationToken))
        {
            return EmailChangeResult.Throttled;
        }

        await database.SaveChangesAsync(cancellationToken);
        outbox.Notify();
        return EmailChangeResult.Sent;
    }

    /// <summary>
    /// Uses a verification link: the account's address becomes verified, or, for a change, becomes the new one (and the old
    /// address is told). The token, the user and the mail change in one transaction.
    /// </summary>
    public async Task<EmailVerificationResult> VerifyAsync(string? token, CancellationToken cancellationToken)
    {
        var grant = await tokens.ReadAsync(token, AccountTokens.EmailVerification, cancellationToken);
        var user = grant is null ? null : await database.Users.SingleOrDefaultAsync(row => row.Id == grant.UserId, cancellationToken);
        if (grant is null || user is null)
        {
            return EmailVerificationResult.Invalid;
        }

        if (await IsTakenAsync(grant.Address, user.Id, cancellationToken))
        {
            return EmailVerificationResult.Taken;
        }

        var oldAddress = user.Email;
        var change = !string.Equals(normalizer.NormalizeEmail(grant.Address), user.NormalizedEmail, StringComparison.Ordinal);
        try
        {
            var strategy = database.Database.CreateExecutionStrategy();
            var done = await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
                if (!await tokens.ConsumeAsync(grant, cancellationToken))
                {
                    return false;
                }

                Assign(user, grant.Address, verified: true);
                if (change && oldAddress is not null)
                {
                    outbox.AddMail(user.Id, oldAddress, "email-changed", new Dictionary<string, string>
                    {
                        ["UserName"] = user.UserName!,
                        ["NewAddress"] = Mask(grant.Address),
                        ["Time"] = clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
                    });
                }

                await database.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return true;
            });
            if (!done)
            {
                return EmailVerificationResult.Invalid;
            }
        }
        catch (DbUpdateException exception) when (DatabaseFailures.IsLostRace(exception))
        {
            // Note: another account took the address between the check and the write; the unique index refused it.
            database.ChangeTracker.Clear();
            return EmailVerificationResult.Taken;
        }

        outbox.Notify();
        audit.Write(change ? AuditEvents.EmailChanged : AuditEvents.EmailVerified, user.Id);
        return EmailVerificationResult.Verified;
    }

    /// <summary>An address with most of its local part hidden (<c>b***@example.com</c>), for mails to the old address.</summary>
    public static string Mask(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        return at <= 0 ? "***" : address[0] + "***" + address[at..];
    }
}

/// <summary>The outcome of <see cref="AccountEmails.VerifyAsync"/>.</summary>
public enum EmailVerificationResult
{
    Verified,
    Invalid,
    Taken,
}

/// <summary>The outcome of <see cref="AccountEmails.RequestChangeAsync"/>.</summary>
public enum EmailChangeResult
{
    Sent,
    Unchanged,
    Taken,
    Throttled,
}
