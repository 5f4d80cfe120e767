using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace IdentityHost.Testing;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port, in the test process: the identity server sends it
/// mail over SMTP with MailKit as it would to any mail server, and tests read what it received. It can be stopped and
/// started again on the same port, to play a mail server outage.
/// </summary>
public sealed partial class SmtpCatcher : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;

    public SmtpCatcher()
    {
        // Note: a port no outgoing connection is given, so it is still free when an outage test starts the catcher again.
        Port = FreePorts.Next();
        Start();
    }

    public int Port { get; }

    /// <summary>The settings that make a server send its mail here.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Email:Smtp:Host", "127.0.0.1"),
        new("Email:Smtp:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Email:Smtp:Security", "None"),
        new("Email:From", "identityhost@test.example"),
        // Note: quick retries, so an outage test waits seconds, not minutes.
        new("Email:Outbox:PollInterval", "00:00:00.200"),
        new("Email:Outbox:RetryBaseDelay", "00:00:00.100"),
        new("Email:Outbox:RetryMaxDelay", "00:00:01"),
        // Note: a host a test disposed may leave a claim behind; the fixture's own host takes the row over soon after.
        new("Email:Outbox:ClaimDuration", "00:00:05"),
    ];

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages => [.. _messages];

    /// <summary>The messages received for <paramref name="address"/> (case-insensitively).</summary>
    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. _messages.Where(message => message.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Waits until <paramref name="count"/> messages for <paramref name="address"/> arrived (15 s at most), and returns them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var received = To(address);
            if (received.Count >= count)
            {
                return received;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{received.Count} of {count} mails for {address} arrived; all mails: " +
                    string.Join(", ", Messages.Select(message => $"{message.To} '{message.Subject}'")));
            }

            await Task.Delay(25);
        }
    }

    /// <summary>The last mail to <paramref name="address"/>, waiting for it if it has not come yet.</summary>
    public async Task<MimeMessage> LastToAsync(string address, int count = 1) => (await WaitForAsync(address, count))[^1];

    /// <summary>The first link to this server's <paramref name="path"/> in a mail's text body.</summary>
    public static Uri LinkIn(MimeMessage message, string path)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = Link().Matches(message.TextBody ?? string.Empty).FirstOrDefault(candidate => new Uri(candidate.Value).AbsolutePath == path);
        return match is null ? throw new InvalidOperationException($"No link to {path} in: {message.TextBody}") : new Uri(match.Value);
    }

    /// <summary>The <c>token</c> query parameter of the first link to <paramref name="path"/> in a mail.</summary>
    public static string TokenIn(MimeMessage message, string path) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(LinkIn(message, path).Query)["token"].ToString();

    /// <summary>Stops listening: connections are refused until <see cref="Start"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _server.ShutdownTask;
        await _running!;
        _server = null;
    }

    /// <summary>Listens (again) on <see cref="Port"/>.</summary>
    public void Start()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test.example")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_messages));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Link();

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
