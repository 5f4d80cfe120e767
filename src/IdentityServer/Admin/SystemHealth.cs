using System.Data.Common;
using System.Diagnostics;
using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// The dashboard's health figures, read when the page is: whether the database answers a real query and how fast, and
/// the mail outbox (rows waiting, how long the oldest due one has waited, failed attempts of those waiting).
/// </summary>
public sealed class SystemHealth(IdentityHostDbContext database, TimeProvider clock, ILogger<SystemHealth> logger)
{
    /// <summary>Reads the figures; a database that fails is reported, not thrown.</summary>
    public async Task<HealthReport> ReadAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            // Note: a query of a real table (a few rows), not SELECT 1, so a missing schema shows too.
            await database.Roles.AsNoTracking().CountAsync(cancellationToken);
            var latency = watch.Elapsed;
            var now = clock.GetUtcNow().UtcDateTime;
            // Note: the waiting rows, which the (DoneAt, NextAttemptAt) index finds; few unless mail is failing.
            var waiting = database.Outbox.AsNoTracking().Where(row => row.DoneAt == null);
            var pending = await waiting.CountAsync(cancellationToken);
            var oldestDue = await waiting.Where(row => row.NextAttemptAt <= now).MinAsync(row => (DateTime?)row.NextAttemptAt, cancellationToken);
            var failed = await waiting.SumAsync(row => row.Attempts, cancellationToken);
            var retrying = await waiting.CountAsync(row => row.Attempts > 0, cancellationToken);
            return new HealthReport(
                DatabaseUp: true,
                latency,
                database.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true ? "SQLite" : "MySQL",
                pending,
                oldestDue is { } due ? now - due : null,
                failed,
                retrying);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning(exception, "The dashboard's database check failed");
            return new HealthReport(false, watch.Elapsed, null, 0, null, 0, 0);
        }
    }
}

/// <summary>What <see cref="SystemHealth"/> found.</summary>
/// <param name="DatabaseUp">Whether the database answered.</param>
/// <param name="DatabaseLatency">How long the query took (or the failure).</param>
/// <param name="DatabaseProvider">SQLite or MySQL.</param>
/// <param name="OutboxPending">Outbox rows not done yet.</param>
/// <param name="OldestDueAge">How long the oldest row that is due has waited; null when none is due.</param>
/// <param name="FailedAttempts">Failed delivery attempts of the rows still waiting.</param>
/// <param name="Retrying">Waiting rows that failed at least once.</param>
public sealed record HealthReport(
    bool DatabaseUp,
    TimeSpan DatabaseLatency,
    string? DatabaseProvider,
    int OutboxPending,
    TimeSpan? OldestDueAge,
    int FailedAttempts,
    int Retrying);
