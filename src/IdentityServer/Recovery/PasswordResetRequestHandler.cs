using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>
/// Handles a "forgot password" request in the background: finds the accounts it names and, for each with an address that an
/// administrator has not disabled, writes a reset link mail, in one transaction with marking the request done.
/// </summary>
internal sealed class PasswordResetRequestHandler(
    PasswordRecovery recovery, ILookupNormalizer normalizer, Outbox outbox, SecurityAudit audit, TimeProvider clock)
    : IOutboxHandler
{
    public string Kind => PasswordRecovery.RequestKind;

    public async Task HandleAsync(OutboxMessage message, string node, IdentityHostDbContext database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(database);
        var strategy = database.Database.CreateExecutionStrategy();
        var sent = await strategy.ExecuteAsync(async () =>
        {
            database.ChangeTracker.Clear();
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            var sent = new List<string>();
            foreach (var user in await AccountLookup.FindAsync(database, normalizer, message.TextBody, cancellationToken))
            {
                if (!AccountLookup.IsDisabled(user) && await recovery.AddResetMailAsync(user, limited: true, cancellationToken))
                {
                    sent.Add(user.Id);
                }
            }

            await database.SaveChangesAsync(cancellationToken);
            await Outbox.MarkDoneAsync(database, message.Id, node, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return sent;
        });
        foreach (var userId in sent)
        {
            audit.Write(AuditEvents.PasswordResetSent, userId);
        }

        if (sent.Count > 0)
        {
            outbox.Notify();
        }
    }
}
