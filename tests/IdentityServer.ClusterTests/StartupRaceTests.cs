using System.Diagnostics;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// Three nodes started at the same moment, each against a different member, all become ready on the first try, and
/// create the schema and the seed rows once: on an empty database, on an existing one, and after the DBA script.
/// </summary>
public sealed class StartupRaceTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static int _databases;

    [Fact]
    public async Task ThreeNodesStartedTogetherOnAnEmptyAndThenAnExistingDatabaseAllBecomeReady()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        for (var round = 0; round < 2; round++)
        {
            var database = await NewDatabaseAsync();
            await RaceAsync(database, migrate: true, "empty");
            await RaceAsync(database, migrate: true, "existing");
        }
    }

    [Fact]
    public async Task ThreeNodesStartedTogetherAfterTheDbaScriptAllBecomeReady()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var database = await NewDatabaseAsync();
        await GaleraCluster.RunAsync("sh",
            $"-c \"mariadb --no-defaults -h 127.0.0.1 -P {fixture.Cluster.Ports[1]} -u root --default-character-set=utf8mb4 {database} " +
            $"< {RepositoryPaths.Combine("scripts", "mysql-schema.sql")}\"");

        await RaceAsync(database, migrate: false, "after the DBA script");
    }

    private async Task<string> NewDatabaseAsync()
    {
        var database = $"identityhost_race_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await fixture.Cluster.CreateDatabaseAsync(database);
        return database;
    }

    private async Task RaceAsync(string database, bool migrate, string what)
    {
        var clock = Stopwatch.StartNew();
        var nodes = Enumerable.Range(0, GaleraCluster.Size).Select(member =>
        {
            var settings = AppNode.Settings(fixture.Cluster.ConnectionString(member, database));
            settings["Database:MigrateOnStartup"] = migrate ? "true" : "false";
            return AppNode.Launch(settings);
        }).ToList();
        try
        {
            // Note: first try: a node that exits (a crashed start-up) fails the wait at once.
            await Task.WhenAll(nodes.Select(node => node.WaitUntilReadyAsync(TimeSpan.FromMinutes(2))));
            output.WriteLine($"3 of 3 nodes ready on the first try, {what}, in {clock.ElapsedMilliseconds} ms");

            for (var member = 0; member < GaleraCluster.Size; member++)
            {
                Assert.Equal(2, await fixture.Cluster.CountAsync(member, database, "SELECT COUNT(*) FROM AspNetRoles"));
                // Note: the three clients of appsettings.Development.json, once each.
                Assert.Equal(3, await fixture.Cluster.CountAsync(member, database, "SELECT COUNT(*) FROM OpenIddictApplications"));
                Assert.Equal(await fixture.Cluster.CountAsync(0, database, "SELECT COUNT(*) FROM __EFMigrationsHistory"),
                    await fixture.Cluster.CountAsync(member, database, "SELECT COUNT(*) FROM __EFMigrationsHistory"));
                Assert.Equal(await fixture.Cluster.CountAsync(0, database, "SELECT COUNT(*) FROM ServerKeys"),
                    await fixture.Cluster.CountAsync(member, database, "SELECT COUNT(*) FROM ServerKeys"));
                Assert.Equal(0, await fixture.Cluster.CountAsync(member, database,
                    "SELECT COUNT(*) FROM `__IdentityHostStartupLease`"));
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
