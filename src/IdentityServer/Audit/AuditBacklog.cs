using System.Threading.Channels;
using IdentityHost.IdentityServer.Entities;

namespace IdentityHost.IdentityServer.Audit;

/// <summary>
/// Audit records that are not part of a caller's transaction, waiting for <see cref="AuditWriter"/> to insert them in
/// batches. Bounded, so a database outage cannot grow it without end: when full, a record is kept only in the log.
/// </summary>
public sealed class AuditBacklog(ILogger<AuditBacklog> logger)
{
    /// <summary>How many records may wait.</summary>
    public const int Capacity = 100_000;

    private readonly Channel<AuditRecord> _channel = Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<AuditRecord> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="record"/> for insertion; never blocks.</summary>
    public void Enqueue(AuditRecord record)
    {
        if (!_channel.Writer.TryWrite(record))
        {
            logger.LogWarning("The audit backlog is full; event {AuditEvent} for user {UserId} is only in the log", record.Type, record.UserId);
        }
    }
}
