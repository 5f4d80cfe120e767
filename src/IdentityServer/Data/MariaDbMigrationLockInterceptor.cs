using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Makes the MySQL provider's migration lock work on MariaDB. Note: the provider takes the lock with
/// <c>GET_LOCK(name, -1)</c>; MySQL reads a negative timeout as "wait forever", MariaDB answers NULL, and the
/// provider then fails with an InvalidCastException. A long finite timeout means the same on both servers. The
/// provider reads the result as a 64-bit integer, but MariaDB types GET_LOCK as INT (casts do not widen it);
/// COALESCE with a BIGINT literal does, and maps an error (NULL) to a value that is not 1, "not acquired".
/// </summary>
internal sealed class MariaDbMigrationLockInterceptor : DbCommandInterceptor
{
    private const string InfiniteLock = "GET_LOCK('__EFMigrationsLock',-1)";
    private const string BoundedLock = "COALESCE(GET_LOCK('__EFMigrationsLock',3600),9223372036854775807)";

    public static MariaDbMigrationLockInterceptor Instance { get; } = new();

    public override InterceptionResult<object> ScalarExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Rewrite(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Rewrite(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command);
        return ValueTask.FromResult(result);
    }

    private static void Rewrite(DbCommand command)
    {
        if (command.CommandText.Contains(InfiniteLock, StringComparison.Ordinal))
        {
            command.CommandText = command.CommandText.Replace(InfiniteLock, BoundedLock, StringComparison.Ordinal);
        }
    }
}
