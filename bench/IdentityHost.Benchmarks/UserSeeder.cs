using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MySql.Data.MySqlClient;

namespace IdentityHost.Benchmarks;

/// <summary>
/// Inserts many users straight into a database the server has migrated, in multi-row INSERTs: a million users
/// through the registration API would take a day of password hashing.
/// </summary>
/// <remarks>
/// Every seeded user gets the same password hash (one salt), made once with the server's hasher settings; a sign-in
/// still verifies that full hash, so logins cost what real ones do. The rows are what Identity itself writes:
/// normalized name, a confirmed address (normalized too), security and concurrency stamps, lockout enabled, and the <c>user</c> role.
/// </remarks>
internal static class UserSeeder
{
    private const int RowsPerStatement = 1_000;

    public static async Task<int> RunAsync(string serverDirectory, string provider, string connectionString, int from, int to, string password)
    {
        var hasher = ServerSettings.CreateHasher(serverDirectory, out _);
        var hash = hasher.HashPassword(new object(), password);
        var mySql = provider.Equals("MySql", StringComparison.OrdinalIgnoreCase);
        await using DbConnection connection = mySql ? new MySqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();

        var roleId = await ScalarAsync(connection, "SELECT Id FROM AspNetRoles WHERE NormalizedName = 'USER'")
            ?? throw new InvalidOperationException("The role 'user' is missing: start the server once so it migrates and seeds the database.");
        // Note: fixed literals, since a bulk insert has no use for the clock; SQLite keeps DateTimeOffset as text.
        var createdAt = mySql ? "'2026-01-01 00:00:00'" : "'2026-01-01 00:00:00+00:00'";

        var clock = Stopwatch.StartNew();
        for (var start = from; start < to; start += RowsPerStatement)
        {
            var end = Math.Min(start + RowsPerStatement, to);
            var users = new StringBuilder(
                "INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PasswordHash, SecurityStamp, " +
                "ConcurrencyStamp, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount, CreatedAt) VALUES ");
            var roles = new StringBuilder("INSERT INTO AspNetUserRoles (UserId, RoleId) VALUES ");
            for (var index = start + 1; index <= end; index++)
            {
                var id = UserId(index);
                var name = UserName(index);
                var separator = index == start + 1 ? string.Empty : ",";
                users.Append(CultureInfo.InvariantCulture,
                    $"{separator}('{id}','{name}','{name.ToUpperInvariant()}','{Email(index)}','{Email(index).ToUpperInvariant()}',1,'{hash}','{Stamp(index, 'S')}','{Stamp(index, 'C')}',0,0,1,0,{createdAt})");
                roles.Append(CultureInfo.InvariantCulture, $"{separator}('{id}','{roleId}')");
            }

            await using var transaction = await connection.BeginTransactionAsync();
            await ExecuteAsync(connection, transaction, users.ToString());
            await ExecuteAsync(connection, transaction, roles.ToString());
            await transaction.CommitAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded_users={to - from}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed_seconds={clock.Elapsed.TotalSeconds:F1}"));
        return 0;
    }

    /// <summary>The seeded user number <paramref name="index"/>'s name: bench0000001 and so on (the scripts rely on it).</summary>
    public static string UserName(int index) => string.Create(CultureInfo.InvariantCulture, $"bench{index:D7}");

    /// <summary>
    /// The seeded user's address: a shuffled number (index times a prime, modulo ten million), so that addresses
    /// are not in the order of the names and an email-prefix search reads another index than a name search.
    /// </summary>
    public static string Email(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"user{(long)index * 7_919 % 10_000_000:D7}@bench.example");

    private static string UserId(int index) => string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{index:D12}");

    private static string Stamp(int index, char kind) => string.Create(CultureInfo.InvariantCulture, $"BENCH{kind}{index:D26}");

    private static async Task<string?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
