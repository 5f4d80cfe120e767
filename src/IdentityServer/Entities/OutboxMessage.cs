namespace IdentityHost.IdentityServer.Entities;

/// <summary>
/// Work the server must do after a change has been committed, stored in the same transaction as that change: a mail to
/// send (<see cref="MailKind"/>), or an account request to handle away from the request path (another kind). A
/// background sender on any node claims a row for a while (<see cref="ClaimedUntil"/>), does the work, then marks it done.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The kind of a mail to deliver.</summary>
    public const string MailKind = "mail";

    public long Id { get; set; }

    /// <summary><see cref="MailKind"/>, or the kind of request a registered handler does.</summary>
    public required string Kind { get; set; }

    /// <summary>The user the work is for, when there is one (so deleting the account deletes what is still pending).</summary>
    public string? UserId { get; set; }

    /// <summary>A mail's recipient; cleared once sent.</summary>
    public string? Recipient { get; set; }

    /// <summary>A mail's subject.</summary>
    public string? Subject { get; set; }

    /// <summary>A mail's plain-text body, or a request's data; cleared once done (it may hold a link with a token).</summary>
    public string? TextBody { get; set; }

    /// <summary>A mail's HTML body; cleared once sent.</summary>
    public string? HtmlBody { get; set; }

    /// <summary>When the row was written (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the work may next be tried (UTC); pushed back after each failure.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>How many times the work failed.</summary>
    public int Attempts { get; set; }

    /// <summary>The node that has claimed the row, while its claim lasts.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Until when <see cref="ClaimedBy"/> holds the row (UTC); after that another node may take it.</summary>
    public DateTime? ClaimedUntil { get; set; }

    /// <summary>When the work was done (UTC); null while it is pending.</summary>
    public DateTime? DoneAt { get; set; }

    /// <summary>Why it failed last, for operators (never a secret: the error of the mail server or handler).</summary>
    public string? LastError { get; set; }
}
