using System.Globalization;
using IdentityHost.IdentityServer.Entities;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// Delivers the mails of one round of the sender: over SMTP with MailKit (one connection for the round, opened at the first
/// mail), or as <c>.eml</c> files in the pickup directory when no SMTP host is configured.
/// </summary>
internal sealed class MailTransport(IOptions<EmailOptions> options, string pickupDirectory) : IAsyncDisposable
{
    private SmtpClient? _smtp;

    public async Task SendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var message = Compose(row);
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Smtp.Host))
        {
            Directory.CreateDirectory(pickupDirectory);
            var path = Path.Combine(pickupDirectory, row.Id.ToString("D10", CultureInfo.InvariantCulture) + ".eml");
            // Note: written under another name and renamed, so a reader never sees half a message.
            var partial = path + ".tmp";
            await message.WriteToAsync(partial, cancellationToken);
            File.Move(partial, path, overwrite: true);
            return;
        }

        if (_smtp is null || !_smtp.IsConnected)
        {
            _smtp?.Dispose();
            _smtp = new SmtpClient { Timeout = 30_000 };
            await _smtp.ConnectAsync(settings.Smtp.Host, settings.Smtp.EffectivePort, settings.Smtp.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            }, cancellationToken);
            if (!string.IsNullOrEmpty(settings.Smtp.Username))
            {
                await _smtp.AuthenticateAsync(settings.Smtp.Username, settings.Smtp.Password ?? string.Empty, cancellationToken);
            }
        }

        await _smtp.SendAsync(message, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_smtp is not null)
        {
            try
            {
                if (_smtp.IsConnected)
                {
                    await _smtp.DisconnectAsync(quit: true);
                }
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or OperationCanceledException)
            {
                // Note: the round's mails are sent and marked already; a failing QUIT loses nothing.
            }

            _smtp.Dispose();
        }
    }

    private MimeMessage Compose(OutboxMessage row)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(settings.FromName, settings.From ?? "identityhost@localhost"));
        message.To.Add(MailboxAddress.Parse(row.Recipient ?? throw new InvalidOperationException("An outbox mail has no recipient.")));
        message.Subject = row.Subject ?? string.Empty;
        // Note: the same Message-ID on every try, so a receiver can drop the duplicate of a message that was sent but whose
        // sending could not be recorded (a node stopping between the two).
        message.MessageId = $"outbox-{row.Id.ToString(CultureInfo.InvariantCulture)}-{row.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}@identityhost";
        message.Date = new DateTimeOffset(row.CreatedAt, TimeSpan.Zero);
        message.Body = new BodyBuilder { TextBody = row.TextBody, HtmlBody = row.HtmlBody }.ToMessageBody();
        return message;
    }
}
