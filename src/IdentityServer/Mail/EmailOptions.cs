namespace IdentityHost.IdentityServer.Mail;

/// <summary>How the server sends mail: the <c>Email</c> configuration section.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>The sender's address (<c>Email:From</c>); required outside Development.</summary>
    public string? From { get; set; }

    /// <summary>The sender's display name (<c>Email:FromName</c>).</summary>
    public string FromName { get; set; } = "IdentityHost";

    /// <summary>
    /// A directory each message is written to as an <c>.eml</c> file instead of being sent (relative to the content root).
    /// Development uses <c>App_Data/mail</c> when no SMTP host is set, so that <c>dotnet run</c> works on a bare machine.
    /// </summary>
    public string? PickupDirectory { get; set; }

    /// <summary>The SMTP server (<c>Email:Smtp</c>).</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>The background sender (<c>Email:Outbox</c>).</summary>
    public OutboxSettings Outbox { get; set; } = new();
}

/// <summary>The <c>Email:Smtp</c> section.</summary>
public sealed class SmtpSettings
{
    /// <summary>The SMTP server's name or address; unset, no mail goes over SMTP.</summary>
    public string? Host { get; set; }

    /// <summary>Its port; by default 25 with <see cref="SmtpSecurity.None"/>, 587 with StartTls and 465 with SslOnConnect.</summary>
    public int? Port { get; set; }

    /// <summary>The account to authenticate as, if the server asks for one.</summary>
    public string? Username { get; set; }

    /// <summary>Its password: keep it in user-secrets or the environment.</summary>
    public string? Password { get; set; }

    /// <summary>How the connection is protected (default StartTls: refused if the server does not offer it).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>The port in use: <see cref="Port"/>, or the usual one for <see cref="Security"/>.</summary>
    public int EffectivePort => Port ?? Security switch
    {
        SmtpSecurity.None => 25,
        SmtpSecurity.SslOnConnect => 465,
        _ => 587,
    };
}

/// <summary>How an SMTP connection is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text (a mail catcher on the same machine or network).</summary>
    None,

    /// <summary>STARTTLS after connecting; a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,
}

/// <summary>The <c>Email:Outbox</c> section: how the background sender works through the outbox.</summary>
public sealed class OutboxSettings
{
    /// <summary>How often the outbox is looked at when nothing new was written on this node (default 5 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait after a first failure, doubled after each further one (default 30 s).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two tries (default 15 minutes); a message is retried until it is sent.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a node holds a message it claimed before another node may take it over (default 5 minutes).</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many messages one round claims (default 20).</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>How long a sent message's row (without its recipient and bodies) is kept (default 7 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
