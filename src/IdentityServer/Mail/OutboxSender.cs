using System.Globalization;
using System.Security.Cryptography;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// The background sender: works through the outbox on every node. Each row is claimed with one conditional UPDATE (it
/// succeeds on one node only, and a claim expires if its node stops), sent or handled, then marked done; a failure puts it
/// back with an exponentially growing wait. Nothing is dropped: a mail the SMTP server refuses is retried until it is taken.
/// </summary>
internal sealed class OutboxSender(
    IServiceScopeFactory scopes,
    IOptions<EmailOptions> options,
    IHostEnvironment environment,
    OutboxSignal signal,
    TimeProvider clock,
    IdentityHostMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>This process's name in claims: machine, process and a random part (two processes never share one).</summary>
    internal string Node { get; } = NodeName();

    private DateTime _nextPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Note: the first look at the outbox (and its first query's compilation) waits until the server has started,
        // so start-up does not share the CPU with it; mail queued before that is sent then.
        try
        {
            await lifetime.WaitForStartAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Note: usually the database being away; the rows wait for it, and so does this loop.
                logger.LogWarning(exception, "The outbox could not be read; trying again shortly");
            }

            if (!busy)
            {
                try
                {
                    await signal.WaitAsync(options.Value.Outbox.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One round: claims and works through up to a batch of due rows; true when the batch was full.</summary>
    internal async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Outbox;
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        await PruneAsync(database, now, cancellationToken);
        metrics.OutboxDepth(await database.Outbox.LongCountAsync(row => row.DoneAt == null, cancellationToken));

        var due = await database.Outbox.AsNoTracking()
            .Where(row => row.DoneAt == null && row.NextAttemptAt <= now && (row.ClaimedUntil == null || row.ClaimedUntil < now))
            .OrderBy(row => row.NextAttemptAt).ThenBy(row => row.Id)
            .Select(row => row.Id)
            .Take(settings.BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return false;
        }

        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(handler => handler.Kind, StringComparer.Ordinal);
        await using var transport = new MailTransport(options, PickupDirectory(options.Value, environment));
        foreach (var id in due)
        {
            var claimedAt = clock.GetUtcNow().UtcDateTime;
            var until = claimedAt + settings.ClaimDuration;
            var claimed = await database.Outbox
                .Where(row => row.Id == id && row.DoneAt == null && (row.ClaimedUntil == null || row.ClaimedUntil < claimedAt))
                .ExecuteUpdateAsync(set => set.SetProperty(row => row.ClaimedBy, Node).SetProperty(row => row.ClaimedUntil, until), cancellationToken);
            if (claimed == 0)
            {
                // Note: another node took it first.
                continue;
            }

            database.ChangeTracker.Clear();
            var row = await database.Outbox.AsNoTracking().SingleAsync(message => message.Id == id, cancellationToken);
            try
            {
                if (row.Kind == OutboxMessage.MailKind)
                {
                    await transport.SendAsync(row, cancellationToken);
                    await Outbox.MarkDoneAsync(database, id, Node, clock.GetUtcNow().UtcDateTime, cancellationToken);
                    metrics.MailSent();
                    logger.LogInformation("Sent outbox mail {OutboxId} ({Subject})", id, row.Subject);
                }
                else if (handlers.TryGetValue(row.Kind, out var handler))
                {
                    await handler.HandleAsync(row, Node, database, cancellationToken);
                }
                else
                {
                    throw new InvalidOperationException($"No handler for outbox rows of kind '{row.Kind}'.");
                }
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                database.ChangeTracker.Clear();
                var attempts = row.Attempts + 1;
                var next = clock.GetUtcNow().UtcDateTime + Backoff(attempts, settings);
                var error = exception.GetType().Name + ": " + exception.Message;
                await database.Outbox.Where(message => message.Id == id && message.ClaimedBy == Node)
                    .ExecuteUpdateAsync(set => set
                        .SetProperty(message => message.Attempts, attempts)
                        .SetProperty(message => message.NextAttemptAt, next)
                        .SetProperty(message => message.ClaimedBy, (string?)null)
                        .SetProperty(message => message.ClaimedUntil, (DateTime?)null)
                        .SetProperty(message => message.LastError, error.Length > 1024 ? error[..1024] : error), CancellationToken.None);
                if (row.Kind == OutboxMessage.MailKind)
                {
                    metrics.MailFailed();
                }

                logger.LogWarning("Outbox row {OutboxId} ({Kind}) failed, try {Attempts}; next try at {NextAttempt:o}: {Error}",
                    id, row.Kind, attempts, next, error);
                if (row.Kind == OutboxMessage.MailKind && exception is not MailKit.Net.Smtp.SmtpCommandException)
                {
                    // Note: the mail server is away (refused, timed out); the rest of the batch would fail the same way.
                    break;
                }
            }
        }

        return due.Count == settings.BatchSize;
    }

    /// <summary>The pickup directory in use, absolute: the configured one, or Development's default.</summary>
    internal static string PickupDirectory(EmailOptions settings, IHostEnvironment environment) =>
        Path.GetFullPath(Path.Combine(environment.ContentRootPath, settings.PickupDirectory ?? Path.Combine("App_Data", "mail")));

    private static string NodeName()
    {
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{Environment.MachineName}:{Environment.ProcessId}:{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}");
        return name.Length > 64 ? name[^64..] : name;
    }

    /// <summary>30 s, 1 min, 2 min, … up to the maximum, with a tenth of jitter so nodes do not retry in step.</summary>
    private static TimeSpan Backoff(int attempts, OutboxSettings settings)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var delay = Math.Min(settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), settings.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.9 + (Random.Shared.NextDouble() * 0.2)));
    }

    private async Task PruneAsync(IdentityHostDbContext database, DateTime now, CancellationToken cancellationToken)
    {
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + TimeSpan.FromHours(1);
        var before = now - options.Value.Outbox.Retention;
        var pruned = await database.Outbox.Where(row => row.DoneAt != null && row.DoneAt < before).DeleteRowsAsync(database, cancellationToken);
        if (pruned > 0)
        {
            logger.LogInformation("Pruned {Count} done outbox rows", pruned);
        }
    }
}
