using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// Writes mails and account requests into the outbox of the caller's <see cref="IdentityHostDbContext"/>, to be saved in
/// the caller's transaction with the change that caused them: the request never waits on the mail server, and a mail is
/// never sent for a change that was rolled back, nor lost for one that was committed.
/// </summary>
public sealed class Outbox(IdentityHostDbContext database, MailTemplates templates, OutboxSignal signal, TimeProvider clock)
{
    /// <summary>Adds the mail <paramref name="template"/> rendered with <paramref name="values"/>, to <paramref name="recipient"/>.</summary>
    public void AddMail(string? userId, string recipient, string template, IReadOnlyDictionary<string, string> values)
    {
        var (subject, text, html) = templates.Render(template, values);
        var now = clock.GetUtcNow().UtcDateTime;
        database.Outbox.Add(new OutboxMessage
        {
            Kind = OutboxMessage.MailKind,
            UserId = userId,
            Recipient = recipient,
            Subject = subject,
            TextBody = text,
            HtmlBody = html,
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }

    /// <summary>Adds a request of <paramref name="kind"/> (an <see cref="IOutboxHandler"/>'s) with its data.</summary>
    public void AddRequest(string kind, string? userId, string data)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        database.Outbox.Add(new OutboxMessage { Kind = kind, UserId = userId, TextBody = data, CreatedAt = now, NextAttemptAt = now });
    }

    /// <summary>Tells this node's sender that rows were committed; call after the commit.</summary>
    public void Notify() => signal.Notify();

    /// <summary>
    /// Marks <paramref name="id"/> done if <paramref name="node"/> still holds it, clearing what it carried (a recipient, a
    /// body with a link): true when it did. Note: an <see cref="IOutboxHandler"/> calls this inside its own transaction.
    /// </summary>
    public static async Task<bool> MarkDoneAsync(
        IdentityHostDbContext database, long id, string node, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        return await database.Outbox.Where(row => row.Id == id && row.ClaimedBy == node)
            .ExecuteUpdateAsync(set => set
                .SetProperty(row => row.DoneAt, now)
                .SetProperty(row => row.ClaimedBy, (string?)null)
                .SetProperty(row => row.ClaimedUntil, (DateTime?)null)
                .SetProperty(row => row.Recipient, (string?)null)
                .SetProperty(row => row.TextBody, (string?)null)
                .SetProperty(row => row.HtmlBody, (string?)null)
                .SetProperty(row => row.LastError, (string?)null), cancellationToken) == 1;
    }
}
