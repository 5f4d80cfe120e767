using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Brings the database up to date before the server accepts requests: migrations (when
/// <c>Database:MigrateOnStartup</c> is on), SQLite's WAL mode, then every <see cref="IDatabaseSeeder"/>, one node at a
/// time (<see cref="DatabaseStartupLock"/>).
/// </summary>
internal sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var lockScope = services.CreateAsyncScope();
        await using var startupLock = await DatabaseStartupLock.AcquireAsync(
            lockScope.ServiceProvider.GetRequiredService<IdentityHostDbContext>(), cancellationToken);

        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();

        if (context.Database.IsSqlite())
        {
            // Note: WAL lets readers proceed while one writer commits; the mode is stored in the file itself.
            await context.Database.OpenConnectionAsync(cancellationToken);
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await context.Database.CloseConnectionAsync();
        }

        if (options.Value.MigrateOnStartup)
        {
            logger.LogInformation("Applying migrations for {Provider}", options.Value.Provider);
            // Note: a migration may rebuild a large table; the short per-request command timeout is not for it.
            context.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
        }

        foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>())
        {
            await seeder.SeedAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
