using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySql.Data.MySqlClient;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Data;

/// <summary>Tells an unreachable or overloaded database apart from a bug in a query or a broken constraint.</summary>
public static class DatabaseFailures
{
    // Note: MySQL/MariaDB errors that mean "the server is not there (now)", not "the statement is wrong":
    // 1040 too many connections, 1042 cannot connect to any host, 1043 bad handshake, 1053 server shutting down,
    // 1080 forcing close, 1152/1153/1159/1160/1161 aborted or broken connection, 1205 lock wait timeout,
    // 1213 deadlock (on Galera also a certification conflict, once retries are spent), 1927 connection killed,
    // 2002/2003/2006/2013/2055 client-side connection errors. Clusters: 1047 a Galera member that is partitioned
    // (non-Primary) or still joining ("WSREP has not yet prepared node for application use"); on Group Replication and
    // InnoDB Cluster 1290 a member that is read-only (a secondary, or one that left the group), 3100 a replication
    // hook's error (a member without quorum) and 3101 a transaction the group rolled back (a certification conflict,
    // once retries are spent).
    private static readonly HashSet<int> UnavailableMySqlErrors =
        [1040, 1042, 1043, 1047, 1053, 1080, 1152, 1153, 1159, 1160, 1161, 1205, 1213, 1290, 1927, 2002, 2003, 2006, 2013, 2055,
            3100, 3101];

    // Note: a transaction the server rolled back whole because another one wrote the same rows first: an InnoDB deadlock
    // (1213), which Galera also reports for a certification conflict with a commit on another member, and Group
    // Replication's certification failure (3101). Repeating the transaction is safe where its effects are re-read.
    private static readonly HashSet<int> WriteConflictMySqlErrors = [1213, 3101];

    // Note: SQLite's busy (5), locked (6), I/O error (10), disk full (13) and cannot open (14).
    private static readonly HashSet<int> UnavailableSqliteErrors = [5, 6, 10, 13, 14];

    /// <summary>MySQL's ER_DUP_ENTRY; SQLite's extended codes for a UNIQUE and a PRIMARY KEY constraint.</summary>
    private const int MySqlDuplicateEntry = 1062;
    private const int SqliteUniqueConstraint = 2067;
    private const int SqlitePrimaryKeyConstraint = 1555;

    /// <summary>
    /// Whether <paramref name="exception"/>, or an exception it wraps, says the database cannot be reached or
    /// cannot answer in time, so the request may succeed later: connection failures, timeouts, a broken
    /// connection, a retry limit reached, a cluster member that cannot serve now. A constraint violation or a bad
    /// statement is not.
    /// </summary>
    public static bool IsUnavailable(Exception? exception)
    {
        var insideDatabaseError = false;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TimeoutException or RetryLimitExceededException:
                    return true;
                case MySqlException mySql when UnavailableMySqlErrors.Contains(mySql.Number):
                    return true;
                case SqliteException sqlite when UnavailableSqliteErrors.Contains(sqlite.SqliteErrorCode):
                    return true;
                case DbException { IsTransient: true }:
                    return true;
                case SocketException or IOException when insideDatabaseError:
                    return true;
                case DbException or DbUpdateException:
                    insideDatabaseError = true;
                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the database rolled the whole transaction back because a concurrent one (on this server or another
    /// member of the cluster) wrote the same rows: a deadlock or a certification conflict. Nothing of it was kept.
    /// </summary>
    public static bool IsWriteConflict(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is MySqlException mySql && WriteConflictMySqlErrors.Contains(mySql.Number))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a write failed only because a concurrent one got there first: a duplicate key (a unique or primary key
    /// constraint), or an optimistic concurrency check (a row changed or gone since it was read). Not a timeout, not a
    /// broken connection, not any other constraint.
    /// </summary>
    public static bool IsLostRace(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DbUpdateConcurrencyException or OpenIddictExceptions.ConcurrencyException:
                    return true;
                case MySqlException { Number: MySqlDuplicateEntry }:
                    return true;
                case SqliteException { SqliteExtendedErrorCode: SqliteUniqueConstraint or SqlitePrimaryKeyConstraint }:
                    return true;
            }
        }

        return false;
    }
}
