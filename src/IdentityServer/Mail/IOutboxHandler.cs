using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// Does the work of one kind of outbox row other than a mail (an account request handled away from the request path).
/// It must commit its effects and <see cref="Outbox.MarkDoneAsync"/> in one transaction, so the work is done once.
/// </summary>
public interface IOutboxHandler
{
    /// <summary>The <see cref="OutboxMessage.Kind"/> this handles.</summary>
    string Kind { get; }

    /// <summary>Does the work of <paramref name="message"/>, claimed by <paramref name="node"/>.</summary>
    Task HandleAsync(OutboxMessage message, string node, IdentityHostDbContext database, CancellationToken cancellationToken);
}
