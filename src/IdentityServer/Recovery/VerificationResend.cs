using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>
/// "Send me a new verification link" for someone who is not signed in (the page the sign-in page offers when the address
/// is not verified yet): like a forgot-password request, one outbox request whatever the account, looked up in the
/// background, so the answer says nothing about which accounts exist.
/// </summary>
public sealed class VerificationResend(IdentityHostDbContext database, Outbox outbox, SecurityAudit audit)
{
    /// <summary>The outbox kind of a request for a new verification link.</summary>
    public const string RequestKind = "email_verification_request";

    public async Task RequestAsync(string usernameOrEmail, CancellationToken cancellationToken)
    {
        outbox.AddRequest(RequestKind, userId: null, usernameOrEmail);
        await database.SaveChangesAsync(cancellationToken);
        outbox.Notify();
        audit.Write(AuditEvents.EmailVerificationSent, userId: null, "requested");
    }
}

/// <summary>Handles a request for a new verification link: each account it names with an address waiting gets one.</summary>
internal sealed class VerificationResendHandler(AccountEmails emails, ILookupNormalizer normalizer, Outbox outbox, TimeProvider clock)
    : IOutboxHandler
{
    public string Kind => VerificationResend.RequestKind;

    public async Task HandleAsync(OutboxMessage message, string node, IdentityHostDbContext database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(database);
        var strategy = database.Database.CreateExecutionStrategy();
        var sent = await strategy.ExecuteAsync(async () =>
        {
            database.ChangeTracker.Clear();
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            var sent = false;
            foreach (var user in await AccountLookup.FindAsync(database, normalizer, message.TextBody, cancellationToken))
            {
                sent |= !AccountLookup.IsDisabled(user) && await emails.AddResendAsync(user, cancellationToken);
            }

            await database.SaveChangesAsync(cancellationToken);
            await Outbox.MarkDoneAsync(database, message.Id, node, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return sent;
        });
        if (sent)
        {
            outbox.Notify();
        }
    }
}
