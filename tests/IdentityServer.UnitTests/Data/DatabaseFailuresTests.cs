using System.Data.Common;
using System.Net.Sockets;
using IdentityHost.IdentityServer.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentityHost.IdentityServer.UnitTests.Data;

/// <summary>
/// Which exceptions mean "the database cannot answer now" (503, retry later) rather than a bug or a broken
/// constraint. Note: MySqlException has no public constructor, so its error numbers are covered by the MySQL
/// outage tests against a real server; here the same chain rules are tested with SQLite's and .NET's exceptions.
/// </summary>
public sealed class DatabaseFailuresTests
{
    [Fact]
    public void TimeoutIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(new TimeoutException()));
    }

    [Fact]
    public void ReachedRetryLimitIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(new RetryLimitExceededException("retries exhausted")));
    }

    [Theory]
    [InlineData(5)] // SQLITE_BUSY
    [InlineData(6)] // SQLITE_LOCKED
    [InlineData(10)] // SQLITE_IOERR
    [InlineData(13)] // SQLITE_FULL
    [InlineData(14)] // SQLITE_CANTOPEN
    public void SqliteBusyLockedIoFullOrCannotOpenIsUnavailable(int code)
    {
        Assert.True(DatabaseFailures.IsUnavailable(new SqliteException("database error", code)));
    }

    [Theory]
    [InlineData(1)] // SQLITE_ERROR: a bad statement
    [InlineData(19)] // SQLITE_CONSTRAINT: a unique index, a foreign key
    public void SqliteStatementOrConstraintErrorIsNotUnavailable(int code)
    {
        Assert.False(DatabaseFailures.IsUnavailable(new SqliteException("database error", code)));
    }

    [Fact]
    public void UpdateFailureWrappingALockedDatabaseIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(new DbUpdateException("save failed", new SqliteException("locked", 6))));
    }

    [Fact]
    public void UpdateFailureWrappingAConstraintViolationIsNotUnavailable()
    {
        Assert.False(DatabaseFailures.IsUnavailable(new DbUpdateException("save failed", new SqliteException("unique", 19))));
    }

    [Fact]
    public void UpdateFailureWrappingASocketErrorIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(
            new DbUpdateException("save failed", new SocketException((int)SocketError.ConnectionRefused))));
    }

    [Fact]
    public void IoErrorAnywhereInsideADatabaseErrorIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(
            new DbUpdateException("save failed", new InvalidOperationException("wrapped", new IOException("broken pipe")))));
    }

    [Fact]
    public void SocketErrorOutsideADatabaseErrorIsNotUnavailable()
    {
        // Note: an HTTP call or another network client failing says nothing about the database.
        Assert.False(DatabaseFailures.IsUnavailable(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.False(DatabaseFailures.IsUnavailable(new IOException("broken pipe")));
    }

    [Fact]
    public void TransientDatabaseErrorIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(new TransientDbException()));
    }

    [Fact]
    public void TimeoutDeepInTheInnerExceptionsIsUnavailable()
    {
        Assert.True(DatabaseFailures.IsUnavailable(
            new InvalidOperationException("outer", new InvalidOperationException("inner", new TimeoutException()))));
    }

    [Fact]
    public void PlainInvalidOperationIsNotUnavailable()
    {
        Assert.False(DatabaseFailures.IsUnavailable(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void NoExceptionIsNotUnavailable()
    {
        Assert.False(DatabaseFailures.IsUnavailable(null));
    }

    [Fact]
    public void ConcurrencyFailureIsALostRace()
    {
        Assert.True(DatabaseFailures.IsLostRace(new DbUpdateConcurrencyException("row changed")));
    }

    [Theory]
    [InlineData(2067)] // SQLITE_CONSTRAINT_UNIQUE
    [InlineData(1555)] // SQLITE_CONSTRAINT_PRIMARYKEY
    public void DuplicateKeyIsALostRace(int extendedCode)
    {
        Assert.True(DatabaseFailures.IsLostRace(new DbUpdateException("save failed", new SqliteException("duplicate", 19, extendedCode))));
    }

    [Fact]
    public void OtherConstraintIsNotALostRace()
    {
        // Note: SQLITE_CONSTRAINT_FOREIGNKEY: a missing parent row is a bug, not a parallel request's insert.
        Assert.False(DatabaseFailures.IsLostRace(new DbUpdateException("save failed", new SqliteException("foreign key", 19, 787))));
    }

    [Fact]
    public void TimeoutOrBrokenConnectionIsNotALostRace()
    {
        // Note: a timeout inside a save once passed for "a parallel sign-in inserted the row" and kept a request waiting.
        Assert.False(DatabaseFailures.IsLostRace(new DbUpdateException("save failed", new TimeoutException())));
        Assert.False(DatabaseFailures.IsLostRace(
            new DbUpdateException("save failed", new SocketException((int)SocketError.ConnectionReset))));
        Assert.False(DatabaseFailures.IsLostRace(new DbUpdateException("save failed", new SqliteException("locked", 6))));
    }

    [Fact]
    public void TimeoutIsNotAWriteConflict()
    {
        Assert.False(DatabaseFailures.IsWriteConflict(new TimeoutException()));
        Assert.False(DatabaseFailures.IsWriteConflict(new DbUpdateException("save failed", new SqliteException("busy", 5))));
    }

    private sealed class TransientDbException : DbException
    {
        public override bool IsTransient => true;
    }
}
