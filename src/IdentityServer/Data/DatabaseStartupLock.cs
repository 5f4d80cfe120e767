using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Lets one server node at a time migrate and seed a database, so nodes starting together on a new database do
/// not both create the same roles, clients or keys (the loser would fail on a unique index and not start).
/// MySQL: a named lock (<c>GET_LOCK</c>) held by a connection of its own. SQLite, whose nodes share one machine:
/// an exclusive lock on a file beside the database.
/// </summary>
internal sealed class DatabaseStartupLock : IAsyncDisposable
{
    private const string LockName = "identityhost_startup";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly IdentityHostDbContext? _context;
    private readonly FileStream? _file;

    private DatabaseStartupLock(IdentityHostDbContext? context, FileStream? file)
    {
        _context = context;
        _file = file;
    }

    /// <summary>
    /// Waits for the lock. <paramref name="context"/> must belong to a scope of its own: its connection stays
    /// open, holding the MySQL lock, until the lock is disposed.
    /// </summary>
    public static async Task<DatabaseStartupLock> AcquireAsync(IdentityHostDbContext context, CancellationToken cancellationToken)
    {
        if (context.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DataSource;
            return file is { Length: > 0 } && file != ":memory:"
                ? new DatabaseStartupLock(null, await LockFileAsync(file + ".startup-lock", cancellationToken))
                : new DatabaseStartupLock(null, null);
        }

        await context.Database.OpenConnectionAsync(cancellationToken);
        var acquired = await context.Database
            .SqlQuery<long?>($"SELECT GET_LOCK({LockName}, {(int)Timeout.TotalSeconds}) AS `Value`")
            .SingleAsync(cancellationToken);
        if (acquired != 1)
        {
            await context.Database.CloseConnectionAsync();
            throw new TimeoutException($"Another server node held the database start-up lock for over {Timeout.TotalMinutes} minutes.");
        }

        return new DatabaseStartupLock(context, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }

        if (_context is not null)
        {
            // Note: closing the connection would release the lock too; releasing first keeps pooled sessions clean.
            await _context.Database.SqlQuery<long?>($"SELECT RELEASE_LOCK({LockName}) AS `Value`").SingleAsync();
            await _context.Database.CloseConnectionAsync();
        }
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
