using System.Diagnostics;
using System.Globalization;
using IdentityHost.Testing;
using MySql.Data.MySqlClient;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// A 3-node MariaDB Galera cluster on loopback: three private <c>mariadbd</c> processes (Debian's mariadb-server and
/// galera-4), their files on the RAM disk, small buffer pools, state transfers by rsync. The first bootstraps the
/// cluster, the others join it. A test may kill a member (SIGKILL), start it again (it rejoins by IST), or cut it off
/// from the others (<c>gmcast.isolate</c>, a network partition as the member sees it).
/// </summary>
/// <remarks>
/// Note: the failure detector is tightened (suspect a silent member after 2 s, evict it after 4 s; Galera's defaults
/// are 5 s and 15 s) so a killed member stalls the others' commits for about 2 s instead of about 6 s.
/// </remarks>
public sealed class GaleraCluster : IAsyncDisposable
{
    public const int Size = 3;

    private const string Provider = "/usr/lib/galera/libgalera_smm.so";
    private const string MemoryDisk = "/dev/shm";

    private readonly string _directory;
    private readonly Member[] _members;

    private GaleraCluster(string directory, Member[] members)
    {
        _directory = directory;
        _members = members;
    }

    /// <summary>Why the cluster cannot run here, or null when it can.</summary>
    public static string? UnavailableReason =>
        !File.Exists(Provider) ? "the Galera tests need Debian's galera-4 package (" + Provider + ")"
        : Find("mariadbd") is null || Find("mariadb-install-db") is null ? "the Galera tests need Debian's mariadb-server package"
        : Find("rsync") is null ? "the Galera tests need rsync (state transfers)"
        : Find("mariadb") is null ? "the Galera tests need the mariadb client"
        : null;

    /// <summary>The members' client ports, in member order.</summary>
    public IReadOnlyList<int> Ports => _members.Select(member => member.Port).ToArray();

    /// <summary>A server-level connection string to member <paramref name="index"/> (0-based), unpooled.</summary>
    public string ServerConnectionString(int index) =>
        $"Server=127.0.0.1;Port={_members[index].Port};User ID=root;Password=;SslMode=Disabled;Pooling=false;";

    /// <summary>A connection string for database <paramref name="database"/> on member <paramref name="index"/>.</summary>
    public string ConnectionString(int index, string database) =>
        $"Server=127.0.0.1;Port={_members[index].Port};Database={database};User ID=root;Password=;SslMode=Disabled;";

    public static async Task<GaleraCluster> StartAsync()
    {
        var directory = Directory.Exists(MemoryDisk)
            ? Directory.CreateDirectory(Path.Combine(MemoryDisk, $"identityhost-galera-{Guid.NewGuid():N}")).FullName
            : Directory.CreateTempSubdirectory("identityhost-galera-").FullName;
        var ports = Enumerable.Range(0, Size).Select(_ => (Client: FreePorts.Next(), Group: FreePorts.Next(), Ist: FreePorts.Next(), Sst: FreePorts.Next())).ToArray();
        var addresses = string.Join(',', ports.Select(port => $"127.0.0.1:{port.Group}"));
        var members = ports.Select((port, index) => new Member(directory, index, port.Client, port.Group, port.Ist, port.Sst, addresses)).ToArray();
        var cluster = new GaleraCluster(directory, members);
        try
        {
            // Note: as root, rsync's SST daemon drops to nobody, which must own the joiners' data directories.
            if (Environment.UserName == "root")
            {
                await RunAsync("chmod", $"755 {directory}");
            }

            foreach (var member in members)
            {
                await member.InstallAsync();
            }

            members[0].Start(bootstrap: true);
            await cluster.WaitUntilSyncedAsync(0, TimeSpan.FromSeconds(60));
            for (var index = 1; index < Size; index++)
            {
                members[index].Start(bootstrap: false);
                await cluster.WaitUntilSyncedAsync(index, TimeSpan.FromSeconds(120));
            }

            await cluster.WaitForSizeAsync(0, Size, TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills member <paramref name="index"/> at once (SIGKILL), as a crash or a lost host would.</summary>
    public Task KillAsync(int index) => _members[index].KillAsync();

    /// <summary>Starts a killed member again; it rejoins the cluster (IST from a donor's cache) and is waited for until Synced.</summary>
    public async Task RestartAsync(int index)
    {
        await _members[index].RecoverAsync();
        _members[index].Start(bootstrap: false);
        await WaitUntilSyncedAsync(index, TimeSpan.FromSeconds(120));
    }

    /// <summary>Cuts member <paramref name="index"/> off from the others (true) or lets it back (false).</summary>
    public async Task IsolateAsync(int index, bool isolated)
    {
        await ExecuteAsync(index, $"SET GLOBAL wsrep_provider_options = 'gmcast.isolate={(isolated ? 1 : 0)}'");
    }

    /// <summary>A member's <c>wsrep_local_state_comment</c> and <c>wsrep_cluster_status</c>, or null when it does not answer.</summary>
    public async Task<(string State, string Component, int Size)?> StatusAsync(int index)
    {
        try
        {
            await using var connection = new MySqlConnection(ServerConnectionString(index) + "Connection Timeout=3;");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_status', 'wsrep_cluster_size')";
            var values = new Dictionary<string, string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                values[reader.GetString(0)] = reader.GetString(1);
            }

            return (values.GetValueOrDefault("wsrep_local_state_comment", "?"), values.GetValueOrDefault("wsrep_cluster_status", "?"),
                int.Parse(values.GetValueOrDefault("wsrep_cluster_size", "0"), CultureInfo.InvariantCulture));
        }
        catch (MySqlException)
        {
            return null;
        }
    }

    /// <summary>Waits until member <paramref name="index"/> is Synced in the Primary component.</summary>
    public async Task WaitUntilSyncedAsync(int index, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (await StatusAsync(index) is not { State: "Synced", Component: "Primary" })
        {
            if (clock.Elapsed > limit || _members[index].HasExited)
            {
                throw new TimeoutException($"Galera member {index} was not Synced within {limit}:\n{_members[index].LogTail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until member <paramref name="index"/> sees a Primary component of <paramref name="size"/> members.</summary>
    public async Task WaitForSizeAsync(int index, int size, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (await StatusAsync(index) is not { Component: "Primary" } status || status.Size != size)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Galera member {index} did not see {size} members within {limit}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until member <paramref name="index"/> has left the Primary component (partitioned, non-Primary).</summary>
    public async Task WaitUntilNonPrimaryAsync(int index, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (await StatusAsync(index) is { Component: "Primary" })
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Galera member {index} stayed in the Primary component for {limit}.");
            }

            await Task.Delay(100);
        }
    }

    public async Task CreateDatabaseAsync(string name)
    {
        await ExecuteAsync(0, $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }

    public async Task ExecuteAsync(int index, string sql)
    {
        await using var connection = new MySqlConnection(ServerConnectionString(index));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a scalar query on member <paramref name="index"/>, with causal reads, so it sees every commit before it.</summary>
    public async Task<long> CountAsync(int index, string database, string sql)
    {
        await using var connection = new MySqlConnection(ServerConnectionString(index) + $"Database={database};");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SET SESSION wsrep_sync_wait = 1; " + sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.KillAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Note: a file still held open is left for the OS to clean; it is a temp directory.
        }
    }

    internal static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/bin"])
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);


    internal static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(Find(file) ?? file, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private sealed class Member(string root, int index, int port, int group, int ist, int sst, string addresses)
    {
        private readonly string _data = Path.Combine(root, $"node{index}");
        private readonly string _log = Path.Combine(root, $"node{index}.log");
        private Process? _process;
        private string? _startPosition;

        public int Port { get; } = port;

        public bool HasExited => _process is null || _process.HasExited;

        public async Task InstallAsync()
        {
            var asRoot = Environment.UserName == "root" ? "--user=root" : string.Empty;
            await RunAsync("mariadb-install-db",
                $"--no-defaults --datadir={_data} --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve {asRoot}");
            if (Environment.UserName == "root" && index > 0)
            {
                await RunAsync("chown", $"-R nobody:nogroup {_data}");
            }
        }

        /// <summary>
        /// After a crash: finds the last committed position in InnoDB (<c>--wsrep-recover</c>, as the Debian service's
        /// galera_recovery does), so the member rejoins by IST from a donor's cache, not by a full state transfer.
        /// </summary>
        public async Task RecoverAsync()
        {
            var log = _data + ".recover.log";
            File.Delete(log);
            await RunAsync("mariadbd", Arguments(bootstrap: false).Replace($"--log-error={_log}", $"--log-error={log}", StringComparison.Ordinal) +
                                       " --wsrep-recover");
            var line = File.ReadLines(log).LastOrDefault(text => text.Contains("WSREP: Recovered position: ", StringComparison.Ordinal));
            _startPosition = line?[(line.IndexOf("Recovered position: ", StringComparison.Ordinal) + "Recovered position: ".Length)..].Trim();
            if (Environment.UserName == "root")
            {
                // Note: files the server created as root since, which rsync's daemon (as nobody) must overwrite if IST fails.
                await RunAsync("chown", $"-R nobody:nogroup {_data}");
            }
        }

        public void Start(bool bootstrap)
        {
            var start = new ProcessStartInfo(Find("mariadbd")!, Arguments(bootstrap) +
                (_startPosition is { Length: > 0 } position ? $" --wsrep-start-position={position}" : string.Empty))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _startPosition = null;
            _process?.Dispose();
            _process = ChildProcesses.Start(start);
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        private string Arguments(bool bootstrap)
        {
            var asRoot = Environment.UserName == "root" ? "--user=root" : string.Empty;
            var options = string.Join(';',
                $"gmcast.listen_addr=tcp://127.0.0.1:{group}", $"ist.recv_addr=127.0.0.1:{ist}", "gcache.size=64M",
                "evs.keepalive_period=PT0.5S", "evs.inactive_check_period=PT0.5S", "evs.suspect_timeout=PT2S",
                "evs.inactive_timeout=PT4S", "evs.install_timeout=PT4S");
            var arguments =
                $"--no-defaults --datadir={_data} --port={Port} --bind-address=127.0.0.1 " +
                $"--socket={_data}.sock --pid-file={_data}.pid --log-error={_log} --skip-name-resolve {asRoot} " +
                "--innodb-buffer-pool-size=32M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 " +
                "--max-connections=500 --character-set-server=utf8mb4 --binlog-format=ROW --innodb-autoinc-lock-mode=2 " +
                $"--wsrep-on=ON --wsrep-provider={Provider} --wsrep-cluster-address=gcomm://{addresses} " +
                $"--wsrep-node-address=127.0.0.1:{group} --wsrep-node-name=node{index} --wsrep-cluster-name=identityhost " +
                $"--wsrep-sst-method=rsync --wsrep-sst-receive-address=127.0.0.1:{sst} " +
                (bootstrap ? "--wsrep-new-cluster " : string.Empty);
            return arguments + $"\"--wsrep-provider-options={options}\"";
        }

        public async Task KillAsync()
        {
            if (_process is not null)
            {
                await Task.Run(() => ChildProcesses.Kill(_process));
            }
        }

        /// <summary>The log's last 30 lines, after the errors before them: the cause of a failed join (a state transfer's
        /// error, say) comes well before the 30 lines of the shutdown that follows it.</summary>
        public string LogTail()
        {
            if (!File.Exists(_log))
            {
                return "(no log)";
            }

            var lines = File.ReadAllLines(_log);
            var errors = lines[..^Math.Min(30, lines.Length)].Where(line => line.Contains("[ERROR]", StringComparison.Ordinal)).TakeLast(20);
            return string.Join('\n', errors.Append("...").Concat(lines.TakeLast(30)));
        }
    }
}
