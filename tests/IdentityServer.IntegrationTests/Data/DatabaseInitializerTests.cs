using System.Net;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityHost.IdentityServer.IntegrationTests.Data;

/// <summary>
/// What start-up does to the schema: a database behind the code gets the migrations it lacks, and a current one is only
/// read (the migrator, with its own lock, is not run on every start).
/// </summary>
public sealed class DatabaseInitializerTests : IDisposable
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly string _directory = Directory.CreateTempSubdirectory("identityhost-migrations-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "identityhost.db")}";

    [Fact]
    public async Task ADatabaseOneMigrationBehindGetsItAtStartAndARestartAppliesNothing()
    {
        await AssertStartsAsync();
        await using (var context = CreateContext())
        {
            var migrations = context.Database.GetMigrations().ToList();
            await context.GetService<IMigrator>().MigrateAsync(migrations[^2], Cancel);
            Assert.Equal(migrations[..^1], await context.Database.GetAppliedMigrationsAsync(Cancel));
        }

        var upgrade = await AssertStartsAsync();
        var restart = await AssertStartsAsync();

        await using (var context = CreateContext())
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync(Cancel));
            Assert.Equal(0, await context.UserPasskeys.CountAsync(Cancel));
        }

        Assert.Contains(upgrade.Lines, line => line.StartsWith("Applying 1 migrations for Sqlite", StringComparison.Ordinal));
        Assert.DoesNotContain(restart.Lines, line => line.StartsWith("Applying", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<LogCapture> AssertStartsAsync()
    {
        await using var host = new IdentityServerHost(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:IdentityHost"] = ConnectionString,
        });
        using var client = host.CreateClient();
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        return host.Logs;
    }

    private SqliteIdentityHostDbContext CreateContext()
    {
        var options = new DbContextOptionsBuilder<SqliteIdentityHostDbContext>()
            .UseApplicationServiceProvider(DesignTimeServices.Identity);
        options.UseIdentityHostSqlite(ConnectionString);
        return new(options.Options);
    }
}
