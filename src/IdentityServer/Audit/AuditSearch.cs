using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Audit;

/// <summary>What to look for in the audit table; every part is optional.</summary>
/// <param name="UserId">Only events of this user.</param>
/// <param name="ClientId">Only events of requests by this client.</param>
/// <param name="Type">Only events of this type (<c>login.failed</c>).</param>
/// <param name="From">Only events at or after this time.</param>
/// <param name="To">Only events before this time.</param>
public sealed record AuditFilter(string? UserId, string? ClientId, string? Type, DateTime? From, DateTime? To);

/// <summary>A page of events, newest first, and the cursor of the next (older) page when there is one.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, long? NextBefore);

/// <summary>
/// Reading the audit table for the admin API and console. Pages are keyed by id (newest first), not by offset: a page
/// deep in a table of millions costs what the first one does, and rows written meanwhile do not shift later pages.
/// </summary>
public sealed class AuditSearch(IdentityHostDbContext database)
{
    /// <summary>The largest page.</summary>
    public const int MaxPageSize = 200;

    /// <summary>One page of the events matching <paramref name="filter"/> with an id below <paramref name="before"/>.</summary>
    public async Task<AuditPage> FindAsync(AuditFilter filter, long? before, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = Filtered(filter);
        if (before is { } id)
        {
            query = query.Where(record => record.Id < id);
        }

        var rows = await query.OrderByDescending(record => record.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        return rows.Count > pageSize ? new(rows[..pageSize], rows[pageSize - 1].Id) : new(rows, null);
    }

    /// <summary>One event, or null.</summary>
    public Task<AuditRecord?> FindAsync(long id, CancellationToken cancellationToken) =>
        database.AuditRecords.AsNoTracking().SingleOrDefaultAsync(record => record.Id == id, cancellationToken);

    /// <summary>Every event matching <paramref name="filter"/>, oldest first, streamed from the database.</summary>
    public IAsyncEnumerable<AuditRecord> ExportAsync(AuditFilter filter) =>
        Filtered(filter).OrderBy(record => record.Id).AsAsyncEnumerable();

    private IQueryable<AuditRecord> Filtered(AuditFilter filter)
    {
        var query = database.AuditRecords.AsNoTracking();
        if (filter.UserId is { } userId)
        {
            query = query.Where(record => record.UserId == userId);
        }

        if (filter.ClientId is { } clientId)
        {
            query = query.Where(record => record.ClientId == clientId);
        }

        if (filter.Type is { } type)
        {
            query = query.Where(record => record.Type == type);
        }

        if (filter.From is { } from)
        {
            query = query.Where(record => record.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(record => record.OccurredAt < to);
        }

        return query;
    }
}
