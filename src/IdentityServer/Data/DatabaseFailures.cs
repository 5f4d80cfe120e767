using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySql.Data.MySqlClient;

namespace IdentityHost.IdentityServer.Data;

/// <summary>Tells an unreachable or overloaded database apart from a bug in a query or a broken constraint.</summary>
public static class DatabaseFailures
{
    // Note: MySQL/MariaDB errors that mean "the server is not there (now)", not "the statement is wrong":
    // 1040 too many connections, 1042 cannot connect to any host, 1043 bad handshake, 1053 server shutting down,
    // 1080 forcing close, 1152/1153/1159/1160/1161 aborted or broken connection, 1205 lock wait timeout,
    // 1213 deadlock, 1927 connection killed, 2002/2003/2006/2013/2055 client-side connection errors.
    private static readonly HashSet<int> UnavailableMySqlErrors =
        [1040, 1042, 1043, 1053, 1080, 1152, 1153, 1159, 1160, 1161, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055];

    // Note: SQLite's busy (5), locked (6), I/O error (10), disk full (13) and cannot open (14).
    private static readonly HashSet<int> UnavailableSqliteErrors = [5, 6, 10, 13, 14];

    /// <summary>
    /// Whether <paramref name="exception"/>, or an exception it wraps, says the database cannot be reached or
    /// cannot answer in time, so the request may succeed later: connection failures, timeouts, a broken
    /// connection, a retry limit reached. A constraint violation or a bad statement is not.
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
}
