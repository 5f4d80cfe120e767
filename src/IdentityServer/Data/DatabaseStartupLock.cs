using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Lets one server node at a time migrate and seed a database, so nodes starting together on a new database do
/// not both create the same tables, roles, clients or keys. MySQL: a lease row (<see cref="LeaseTable"/>), which a
/// node takes with an ordinary write, so that on a cluster (Galera, Group Replication) certification lets only one of
/// several nodes racing on different members have it; a named lock (<c>GET_LOCK</c>) is not replicated and would let
/// each member grant it. The holder renews it while it works; a node that died holding it loses it when it expires.
/// SQLite, whose nodes share one machine: an exclusive lock on a file beside the database.
/// </summary>
internal sealed class DatabaseStartupLock : IAsyncDisposable
{
    /// <summary>The lease table; created on first use when missing, and by scripts/mysql-schema.sql.</summary>
    public const string LeaseTable = "__IdentityHostStartupLease";

    /// <summary>The lease table's definition, as the DBA script carries it too.</summary>
    public const string CreateLeaseTable =
        "CREATE TABLE IF NOT EXISTS `" + LeaseTable + "` (\n" +
        "    `Id` int NOT NULL,\n" +
        "    `Holder` varchar(100) NOT NULL,\n" +
        "    `ExpiresAt` datetime(6) NOT NULL,\n" +
        "    PRIMARY KEY (`Id`)\n" +
        ") ENGINE=InnoDB CHARACTER SET=utf8mb4;";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>How long a lease lasts without renewal: longer than a renewal takes on a cluster that stalls evicting a member.</summary>
    private static readonly TimeSpan LeaseLength = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(5);

    private readonly DbConnection? _connection;
    private readonly string? _holder;
    private readonly FileStream? _file;
    private readonly CancellationTokenSource? _stopRenewing;
    private readonly Task? _renewing;

    private DatabaseStartupLock(FileStream? file) => _file = file;

    private DatabaseStartupLock(DbConnection connection, string holder)
    {
        _connection = connection;
        _holder = holder;
        _stopRenewing = new CancellationTokenSource();
        _renewing = RenewAsync(_stopRenewing.Token);
    }

    /// <summary>
    /// Waits for the lock. <paramref name="context"/> must belong to a scope of its own: its connection stays
    /// open, renewing the MySQL lease, until the lock is disposed.
    /// </summary>
    public static async Task<DatabaseStartupLock> AcquireAsync(IdentityHostDbContext context, CancellationToken cancellationToken)
    {
        if (context.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DataSource;
            return file is { Length: > 0 } && file != ":memory:"
                ? new DatabaseStartupLock(await LockFileAsync(file + ".startup-lock", cancellationToken))
                : new DatabaseStartupLock(file: null);
        }

        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        var holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        if (holder.Length > 100)
        {
            holder = holder[^100..];
        }

        var deadline = DateTime.UtcNow + Timeout;
        try
        {
            await EnsureTableAsync(connection, cancellationToken);
            while (true)
            {
                try
                {
                    if (await TryTakeAsync(connection, holder, cancellationToken))
                    {
                        return new DatabaseStartupLock(connection, holder);
                    }
                }
                catch (DbException exception) when (DatabaseFailures.IsWriteConflict(exception) && DateTime.UtcNow < deadline)
                {
                    // Note: another node took the lease on another member at the same moment; certification kept one.
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new TimeoutException(
                        $"Another server node held the database start-up lease ({LeaseTable}) for over {Timeout.TotalMinutes} minutes.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(200, 500)), cancellationToken);
            }
        }
        catch
        {
            await context.Database.CloseConnectionAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _stopRenewing!.CancelAsync();
            await _renewing!;
            _stopRenewing.Dispose();
            try
            {
                await ExecuteAsync(_connection, $"DELETE FROM `{LeaseTable}` WHERE `Id` = 1 AND `Holder` = @holder", _holder!, CancellationToken.None);
            }
            catch (DbException)
            {
                // Note: the lease then expires on its own; the node has finished its work either way.
            }

            await _connection.CloseAsync();
        }
    }

    private static async Task EnsureTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Note: checked first, so a database user without CREATE (the DBA script made the table) is not refused.
        await using var exists = connection.CreateCommand();
        exists.CommandText =
            $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{LeaseTable}'";
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            await using var create = connection.CreateCommand();
            create.CommandText = CreateLeaseTable;
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<bool> TryTakeAsync(DbConnection connection, string holder, CancellationToken cancellationToken)
    {
        // Note: one statement, committed on its own: the row is inserted, or taken over when its lease expired, or left
        // to its holder. The server's clock decides expiry, so the nodes' clocks do not matter. Assignments run left to
        // right: ExpiresAt moves only when Holder is now this node.
        var seconds = (int)LeaseLength.TotalSeconds;
        await ExecuteAsync(connection,
            $"INSERT INTO `{LeaseTable}` (`Id`, `Holder`, `ExpiresAt`) VALUES (1, @holder, UTC_TIMESTAMP(6) + INTERVAL {seconds} SECOND) " +
            "ON DUPLICATE KEY UPDATE " +
            "`Holder` = IF(`ExpiresAt` < UTC_TIMESTAMP(6) OR `Holder` = VALUES(`Holder`), VALUES(`Holder`), `Holder`), " +
            "`ExpiresAt` = IF(`Holder` = VALUES(`Holder`), VALUES(`ExpiresAt`), `ExpiresAt`)",
            holder, cancellationToken);

        await using var read = connection.CreateCommand();
        read.CommandText = $"SELECT `Holder` FROM `{LeaseTable}` WHERE `Id` = 1";
        return await read.ExecuteScalarAsync(cancellationToken) as string == holder;
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await ExecuteAsync(_connection!,
                        $"UPDATE `{LeaseTable}` SET `ExpiresAt` = UTC_TIMESTAMP(6) + INTERVAL {(int)LeaseLength.TotalSeconds} SECOND " +
                        "WHERE `Id` = 1 AND `Holder` = @holder",
                        _holder!, cancellationToken);
                }
                catch (DbException)
                {
                    // Note: a missed renewal is retried at the next tick; the lease outlasts several.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Note: the work is done; the lease is released next.
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, string holder, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@holder";
        parameter.Value = holder;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<FileStream> LockFileAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }
}
