using System.Diagnostics;
using System.Net;
using MySql.Data.MySqlClient;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>What one node acknowledges, every other node sees at once: causal reads, and the refresh re-read.</summary>
public sealed class ReadYourWritesTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void EveryNodeReadsCausally()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        foreach (var node in fixture.Nodes)
        {
            Assert.Contains("Galera cluster member; sessions read causally", node.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RefreshTokenRevokedAtOneNodeIsRefusedAtTheNextAtOnce()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var clients = fixture.Nodes.Select(node => node.CreateClient()).ToArray();
        var refused = 0;
        for (var round = 0; round < 12; round++)
        {
            var at = clients[round % 3];
            var next = clients[(round + 1) % 3];
            var (_, _, refreshToken) = await ClusterFixture.SignedInUserAsync(at);

            using var revoked = await ClusterFixture.RevokeAsync(at, refreshToken);
            using var refreshed = await ClusterFixture.RefreshAsync(next, refreshToken);

            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
            Assert.Equal("invalid_grant", (await ClusterFixture.JsonAsync(refreshed)).GetProperty("error").GetString());
            refused++;
        }

        Assert.Equal(12, refused);
    }

    [Fact]
    public async Task RotatedRefreshTokenReplayedAtAnotherNodeAtOnceIsRefused()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var clients = fixture.Nodes.Select(node => node.CreateClient()).ToArray();
        for (var round = 0; round < 9; round++)
        {
            var (_, _, first) = await ClusterFixture.SignedInUserAsync(clients[round % 3]);

            using var rotated = await ClusterFixture.RefreshAsync(clients[round % 3], first);
            using var replayed = await ClusterFixture.RefreshAsync(clients[(round + 1) % 3], first);
            var successor = (await ClusterFixture.JsonAsync(rotated)).GetProperty("refresh_token").GetString()!;
            using var successorAfterReplay = await ClusterFixture.RefreshAsync(clients[(round + 2) % 3], successor);

            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
            // Note: a replay past the leeway is theft: the whole family is revoked, the successor included.
            Assert.Equal(HttpStatusCode.BadRequest, successorAfterReplay.StatusCode);
        }
    }

    [Fact]
    public async Task UserRegisteredAtOneNodeSignsInAtTheNextAtOnce()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var clients = fixture.Nodes.Select(node => node.CreateClient()).ToArray();
        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var round = 0; round < 6; round++)
            {
                var userName = ClusterFixture.NewUserName("ryw");
                var password = ClusterFixture.NewPassword();
                using var registered = await ClusterFixture.RegisterAsync(clients[(worker + round) % 3], userName, password);
                using var signedIn = await ClusterFixture.PasswordGrantAsync(clients[(worker + round + 1) % 3], userName, password);
                if (registered.StatusCode != HttpStatusCode.Created || signedIn.StatusCode != HttpStatusCode.OK)
                {
                    lock (failures)
                    {
                        failures.Add($"{(int)registered.StatusCode} then {(int)signedIn.StatusCode}");
                    }
                }
            }
        }));

        Assert.Empty(failures);
    }

    /// <summary>
    /// Not a check but a measurement, written to the test output: the latency of a point read on one member while
    /// another member commits, with <c>wsrep_sync_wait</c> 0 and 1, and what setting it costs per session.
    /// </summary>
    [Fact]
    public async Task MeasureTheCostOfCausalReads()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var database = ClusterFixture.Database;
        await fixture.Cluster.ExecuteAsync(0,
            $"CREATE TABLE IF NOT EXISTS `{database}`.`sync_wait_probe` (`Id` int NOT NULL PRIMARY KEY, `Value` bigint NOT NULL)");
        await fixture.Cluster.ExecuteAsync(0, $"REPLACE INTO `{database}`.`sync_wait_probe` VALUES (1, 0)");

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var connection = new MySqlConnection(fixture.Cluster.ConnectionString(1, database));
            await connection.OpenAsync();
            var commits = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "UPDATE `sync_wait_probe` SET `Value` = `Value` + 1 WHERE `Id` = 1";
                await command.ExecuteNonQueryAsync();
                commits++;
            }

            return commits;
        });

        var results = new List<string>();
        foreach (var syncWait in new[] { 0, 1, 0, 1 })
        {
            await using var connection = new MySqlConnection(fixture.Cluster.ConnectionString(0, database));
            await connection.OpenAsync();
            await using (var set = connection.CreateCommand())
            {
                set.CommandText = $"SET SESSION wsrep_sync_wait = {syncWait}";
                await set.ExecuteNonQueryAsync();
            }

            var latencies = new List<double>();
            var total = Stopwatch.StartNew();
            for (var read = 0; read < 1000; read++)
            {
                var one = Stopwatch.StartNew();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT `Value` FROM `sync_wait_probe` WHERE `Id` = 1";
                await command.ExecuteScalarAsync();
                latencies.Add(one.Elapsed.TotalMilliseconds);
            }

            latencies.Sort();
            results.Add($"wsrep_sync_wait={syncWait}: 1000 reads in {total.ElapsedMilliseconds} ms, " +
                        $"median {latencies[500]:F3} ms, p99 {latencies[990]:F3} ms");
        }

        var sets = Stopwatch.StartNew();
        await using (var connection = new MySqlConnection(fixture.Cluster.ConnectionString(0, database)))
        {
            await connection.OpenAsync();
            for (var set = 0; set < 1000; set++)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SET SESSION wsrep_sync_wait = 1";
                await command.ExecuteNonQueryAsync();
            }
        }

        results.Add($"SET SESSION wsrep_sync_wait = 1 (once per opened connection): {sets.Elapsed.TotalMilliseconds / 1000:F3} ms each");
        await stop.CancelAsync();
        results.Add($"concurrent commits on another member: {await writer}");
        foreach (var line in results)
        {
            output.WriteLine(line);
        }

        await File.AppendAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "cluster-measurements.txt"), results);
    }

    /// <summary>A measurement, written to the test output: refreshes per second at one node, four clients, causal reads on.</summary>
    [Fact]
    public async Task MeasureRefreshThroughputOnTheCluster()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        using var client = fixture.Nodes[0].CreateClient();
        var chains = new List<string>();
        for (var user = 0; user < 4; user++)
        {
            chains.Add((await ClusterFixture.SignedInUserAsync(client)).RefreshToken);
        }

        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(chains.Select(async token =>
        {
            var refreshes = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                using var response = await ClusterFixture.RefreshAsync(client, token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                token = (await ClusterFixture.JsonAsync(response)).GetProperty("refresh_token").GetString()!;
                refreshes++;
            }

            return refreshes;
        }));

        var line = $"refresh at one node of the cluster, 4 clients, causal reads on: {counts.Sum() / clock.Elapsed.TotalSeconds:F0}/s";
        output.WriteLine(line);
        await File.AppendAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "cluster-measurements.txt"), [line]);
    }
}
