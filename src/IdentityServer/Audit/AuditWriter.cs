using System.Data.Common;
using System.Text;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Audit;

/// <summary>
/// Inserts queued audit records in batches (one save, so one round trip, for all that are waiting), and prunes records
/// older than <c>Audit:Retention</c>. While the database is away a batch is kept and tried again; at shutdown what is
/// queued is written before the host stops.
/// </summary>
internal sealed class AuditWriter(
    AuditBacklog queue,
    IServiceScopeFactory scopes,
    IOptionsMonitor<AuditOptions> options,
    TimeProvider clock,
    ILogger<AuditWriter> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private const int PruneBatchSize = 5_000;
    private const int InsertColumns = 7;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private DateTime _nextPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(BatchSize);
        while (true)
        {
            try
            {
                if (batch.Count == 0 && !await queue.Reader.WaitToReadAsync(stoppingToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            while (batch.Count < BatchSize && queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            if (await TryInsertAsync(batch, CancellationToken.None))
            {
                batch.Clear();
                await PruneIfDueAsync(stoppingToken);
            }
            else
            {
                try
                {
                    // Note: real time, not the server's clock: this only paces retries against a database that is away.
                    await Task.Delay(RetryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        // Note: stopping; what is queued is written once more (the host's shutdown timeout bounds this).
        while (queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        if (batch.Count > 0 && !await TryInsertAsync(batch, CancellationToken.None))
        {
            logger.LogWarning("{Count} audit records could not be stored before shutdown; they are in the log", batch.Count);
        }
    }

    private async Task<bool> TryInsertAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        try
        {
            await InsertAsync(batch, cancellationToken);
            return true;
        }
        catch (Exception exception) when (DatabaseFailures.IsUnavailable(exception))
        {
            logger.LogWarning(exception, "{Count} audit records could not be stored yet; trying again", batch.Count);
            return false;
        }
        catch (Exception batchFailure) when (batchFailure is DbUpdateException or DbException)
        {
            // Note: a record the database refuses must not hold up the others behind it: each is tried alone, and one
            // that is refused again is left to the log.
            foreach (var record in batch)
            {
                try
                {
                    await InsertAsync([record], cancellationToken);
                }
                catch (Exception exception) when (exception is DbUpdateException or DbException && !DatabaseFailures.IsUnavailable(exception))
                {
                    logger.LogWarning(exception, "The audit record {AuditEvent} for user {UserId} was refused by the database", record.Type, record.UserId);
                }
            }

            return true;
        }
    }

    private async Task InsertAsync(List<AuditRecord> records, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();

        // Note: one INSERT with a row per record, not EF Core's SaveChanges: through Oracle's MySQL provider that writes
        // each row as an INSERT followed by a SELECT of its generated id, two statements per record that nothing reads
        // (the id only orders the table). Names are the code's own; every value is a parameter.
        var sql = new StringBuilder(
            "INSERT INTO `AuditRecords` (`OccurredAt`, `Type`, `UserId`, `ClientId`, `IpAddress`, `Detail`, `TraceId`) VALUES ");
        var values = new object?[records.Count * InsertColumns];
        for (var index = 0; index < records.Count; index++)
        {
            var record = records[index];
            var first = index * InsertColumns;
            sql.Append(index == 0 ? "(" : ", (");
            for (var column = 0; column < InsertColumns; column++)
            {
                sql.Append(column == 0 ? "{" : ", {").Append(first + column).Append('}');
            }

            sql.Append(')');
            values[first] = record.OccurredAt;
            values[first + 1] = record.Type;
            values[first + 2] = record.UserId;
            values[first + 3] = record.ClientId;
            values[first + 4] = record.IpAddress;
            values[first + 5] = record.Detail;
            values[first + 6] = record.TraceId;
        }

        await database.Database.ExecuteSqlRawAsync(sql.ToString(), values!, cancellationToken);
    }

    private async Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + options.CurrentValue.PruneInterval;
        try
        {
            var pruned = await PruneAsync(now - options.CurrentValue.Retention, cancellationToken);
            if (pruned > 0)
            {
                logger.LogInformation("Pruned {Count} audit records older than {Retention}", pruned, options.CurrentValue.Retention);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Pruning the audit table failed; trying again at the next interval");
        }
    }

    /// <summary>Deletes the records that happened before <paramref name="before"/>, in bounded batches; returns how many.</summary>
    internal async Task<int> PruneAsync(DateTime before, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        if (database.Database.IsSqlite())
        {
            return await database.AuditRecords.Where(record => record.OccurredAt < before).ExecuteDeleteAsync(cancellationToken);
        }

        // Note: EF Core's ExecuteDelete is refused by MariaDB through this provider (Data/RowDeletes); a plain DELETE with a
        // LIMIT keeps each statement (and each Galera write set) small on a table of millions.
        var total = 0;
        int deleted;
        do
        {
            deleted = await database.Database.ExecuteSqlRawAsync(
                $"DELETE FROM `AuditRecords` WHERE `OccurredAt` < {{0}} ORDER BY `Id` LIMIT {PruneBatchSize}", [before], cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatchSize);
        return total;
    }

    /// <summary>Prunes now, whatever the interval (tests and the admin API use it).</summary>
    internal Task<int> PruneNowAsync(CancellationToken cancellationToken) =>
        PruneAsync(clock.GetUtcNow().UtcDateTime - options.CurrentValue.Retention, cancellationToken);
}
