using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Brings the database up to date before the server accepts requests: finds out whether it is a cluster member and
/// makes sessions read their cluster's latest writes (<see cref="CausalReads"/>), then migrations (when
/// <c>Database:MigrateOnStartup</c> is on), SQLite's WAL mode, then every <see cref="IDatabaseSeeder"/>, one node at a
/// time (<see cref="DatabaseStartupLock"/>). A seeder that loses a race anyway (a duplicate key, a changed row) runs
/// again on what the winner wrote.
/// </summary>
internal sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<DatabaseOptions> options,
    CausalReads causalReads,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    private const int SeederAttempts = 3;

    /// <summary>How long start-up waits for a database (or a proxy) that cannot answer yet before the node gives up.</summary>
    private static readonly TimeSpan UnavailableFor = TimeSpan.FromMinutes(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Note: a MySQL server that does not answer yet (still starting, a proxy without a healthy member, a member still
        // joining) is waited for, a bounded time; every step below is safe to run again. A SQLite file that cannot be
        // opened is a configuration error, reported at once.
        var deadline = DateTime.UtcNow + UnavailableFor;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await InitializeAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (options.Value.Provider == DatabaseProvider.MySql && DatabaseFailures.IsUnavailable(exception) &&
                                              DateTime.UtcNow < deadline &&
                                              !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("The database cannot answer yet ({Failure}); trying again (attempt {Attempt})",
                    exception.GetBaseException().Message, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * attempt)), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var detectScope = services.CreateAsyncScope())
        {
            var context = detectScope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            await causalReads.DetectAsync(context, cancellationToken);
            await causalReads.VerifyAsync(context, cancellationToken);
            if (causalReads.Cluster != DatabaseCluster.None)
            {
                logger.LogInformation(
                    "The database is a {Cluster} cluster member; sessions read causally ({Setting})",
                    causalReads.Cluster, causalReads.SessionStatement ?? "the server's own setting");
            }
        }

        await using var lockScope = services.CreateAsyncScope();
        await using var startupLock = await DatabaseStartupLock.AcquireAsync(
            lockScope.ServiceProvider.GetRequiredService<IdentityHostDbContext>(), cancellationToken);

        await using (var scope = services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            if (context.Database.IsSqlite())
            {
                // Note: WAL lets readers proceed while one writer commits; the mode is stored in the file itself.
                await context.Database.OpenConnectionAsync(cancellationToken);
                await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                await context.Database.CloseConnectionAsync();
            }

            // Note: with the schema current (every start but the first after an upgrade), reading the history table is
            // all there is to do; MigrateAsync would also take and release EF's own migration lock, a write on every
            // start. The start-up lock held here already keeps another node from migrating meanwhile.
            if (options.Value.MigrateOnStartup &&
                (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList() is { Count: > 0 } pending)
            {
                logger.LogInformation("Applying {Count} migrations for {Provider}, the last {Migration}",
                    pending.Count, options.Value.Provider, pending[^1]);
                // Note: a migration may rebuild a large table; the short per-request command timeout is not for it.
                context.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
                var strategy = context.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
            }
        }

        int count;
        await using (var scope = services.CreateAsyncScope())
        {
            count = scope.ServiceProvider.GetServices<IDatabaseSeeder>().Count();
        }

        for (var index = 0; index < count; index++)
        {
            await SeedAsync(index, cancellationToken);
        }
    }

    private async Task SeedAsync(int index, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Note: a scope per attempt, so a retry starts from a fresh context and reads what the winner wrote.
            await using var scope = services.CreateAsyncScope();
            var seeder = scope.ServiceProvider.GetServices<IDatabaseSeeder>().ElementAt(index);
            try
            {
                await seeder.SeedAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (attempt < SeederAttempts &&
                                              (DatabaseFailures.IsLostRace(exception) || DatabaseFailures.IsWriteConflict(exception)))
            {
                logger.LogWarning("{Seeder} lost a race with another node ({Failure}); running it again",
                    seeder.GetType().Name, exception.GetBaseException().Message);
            }
        }
    }
}
