using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;

namespace IdentityHost.IdentityServer.Audit;

/// <summary>
/// The audit table's <see cref="IAuditSink"/>, one per scope (request). A record written while the scope's database
/// context has a transaction open joins it: the context's next save inserts it with the change it records, and a save
/// that fails drops it (<see cref="AuditRecord.Abandoned"/>). Any other record goes to the <see cref="AuditBacklog"/>, so
/// that events without a transaction of their own (a failed login, a refresh) add no round trip to the request.
/// </summary>
internal sealed class AuditRecorder(IServiceProvider services, AuditBacklog queue) : IAuditSink, IDisposable
{
    private List<AuditRecord>? _attached;

    public void Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Note: a client id comes from the request as sent; every text is cut to its column so no insert is refused.
        var record = new AuditRecord
        {
            OccurredAt = entry.OccurredAt,
            Type = Cut(entry.Type, AuditRecord.TypeMaxLength)!,
            UserId = Cut(entry.UserId, AuditRecord.IdMaxLength),
            ClientId = Cut(entry.ClientId, AuditRecord.IdMaxLength),
            IpAddress = Cut(entry.IpAddress, AuditRecord.AddressMaxLength),
            Detail = Cut(entry.Detail, AuditRecord.DetailMaxLength),
            TraceId = Cut(entry.TraceId, AuditRecord.TraceIdMaxLength),
        };
        var database = services.GetService<IdentityHostDbContext>();
        if (database?.Database.CurrentTransaction is not null)
        {
            database.AuditRecords.Add(record);
            (_attached ??= []).Add(record);
            return;
        }

        queue.Enqueue(record);
    }

    private static string? Cut(string? value, int length) => value is not null && value.Length > length ? value[..length] : value;

    /// <summary>
    /// At the end of the scope: a record that joined a transaction but was never saved (no save followed it) is queued,
    /// unless its save failed.
    /// </summary>
    public void Dispose()
    {
        foreach (var record in _attached ?? [])
        {
            if (record is { Id: 0, Abandoned: false })
            {
                queue.Enqueue(record);
            }
        }
    }
}
