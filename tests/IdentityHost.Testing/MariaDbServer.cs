using System.Diagnostics;
using MySql.Data.MySqlClient;

namespace IdentityHost.Testing;

/// <summary>
/// A real MySQL-compatible server for the test run: the one named by <c>IDENTITYHOST_TEST_MYSQL</c>, or a
/// private <c>mariadbd</c> started in a temporary directory on a free loopback port and removed afterwards.
/// Each test host gets a database of its own. A test that stops the server uses one of its own
/// (<see cref="StartDedicatedAsync"/>), never the one the other tests share.
/// </summary>
public sealed class MariaDbServer : IAsyncLifetime
{
    /// <summary>A server-level connection string (no database) to use instead of a private server.</summary>
    public const string ConnectionStringVariable = "IDENTITYHOST_TEST_MYSQL";

    /// <summary>When <c>1</c>, an unavailable server fails the run instead of skipping the MySQL tests (CI sets it).</summary>
    public const string RequireVariable = "IDENTITYHOST_REQUIRE_MYSQL";

    /// <summary>A RAM disk (Linux's /dev/shm) for the server's files, when there is one.</summary>
    private const string MemoryDisk = "/dev/shm";

    private readonly bool _dedicated;
    private Process? _process;
    private ProcessStartInfo? _start;
    private string? _directory;
    private string? _log;
    private int _databaseCount;

    /// <summary>The server of the test run: <c>IDENTITYHOST_TEST_MYSQL</c>'s, or a private one.</summary>
    public MariaDbServer()
        : this(dedicated: false)
    {
    }

    private MariaDbServer(bool dedicated) => _dedicated = dedicated;

    /// <summary>The server-level connection string, or null when no server is available.</summary>
    public string? ServerConnectionString { get; private set; }

    /// <summary>Why the MySQL tests cannot run, or null when they can.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>Whether the MySQL tests must run (CI), so an unavailable server is a failure.</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>
    /// A private <c>mariadbd</c> for one test alone, which it may stop and start (<see cref="StopAsync"/>,
    /// <see cref="StartAsync"/>); always a local process, even when <c>IDENTITYHOST_TEST_MYSQL</c> names a server.
    /// Check <see cref="UnavailableReason"/>; dispose it at the end of the test.
    /// </summary>
    public static async Task<MariaDbServer> StartDedicatedAsync()
    {
        var server = new MariaDbServer(dedicated: true);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask InitializeAsync()
    {
        var configured = _dedicated ? null : Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ServerConnectionString = configured;
            return;
        }

        var server = FindExecutable("mariadbd");
        var installer = FindExecutable("mariadb-install-db");
        if (server is null || installer is null)
        {
            UnavailableReason =
                $"MySQL tests need a MariaDB server: install the Debian package mariadb-server (mariadbd on PATH) " +
                $"or set {ConnectionStringVariable} to a server-level connection string.";
            if (IsRequired)
            {
                throw new InvalidOperationException($"{RequireVariable}=1 but {UnavailableReason}");
            }

            return;
        }

        // Note: in memory where the machine has a RAM disk: the server is thrown away after the run, and each test
        // class migrates a database of its own, whose CREATE TABLEs otherwise wait on the disk.
        _directory = Directory.Exists(MemoryDisk)
            ? Directory.CreateDirectory(Path.Combine(MemoryDisk, $"identityhost-mariadb-{Guid.NewGuid():N}")).FullName
            : Directory.CreateTempSubdirectory("identityhost-mariadb-").FullName;
        var data = Path.Combine(_directory, "data");
        var asRoot = Environment.UserName == "root" ? "--user=root" : string.Empty;
        // Note: two mariadb-install-db runs at once (one per test assembly) make one of them fail, so the
        // installs of every test process on this machine take turns. (.NET locks the file with flock; the lock
        // file stays, as deleting it would let a third process lock a different file of the same name.)
        await using (await AcquireInstallLockAsync())
        {
            await RunToEndAsync(installer,
                $"--no-defaults --datadir={data} --auth-root-authentication-method=normal --skip-test-db " +
                $"--skip-name-resolve {asRoot}");
        }

        var port = FreePorts.Next();
        _log = Path.Combine(_directory, "server.log");
        _start = new ProcessStartInfo(server,
            $"--no-defaults --datadir={data} --port={port} --bind-address=127.0.0.1 " +
            $"--socket={Path.Combine(_directory, "mysqld.sock")} --pid-file={Path.Combine(_directory, "mysqld.pid")} " +
            $"--log-error={_log} --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=128M " +
            $"--innodb-flush-log-at-trx-commit=2 --max-connections=500 --character-set-server=utf8mb4 {asRoot}")
        {
            UseShellExecute = false,
        };
        _process = Process.Start(_start)!;

        ServerConnectionString = $"Server=127.0.0.1;Port={port};User ID=root;Password=;SslMode=Disabled;";
        await WaitUntilReadyAsync(_log);
    }

    /// <summary>
    /// Kills the server at once (SIGKILL), as a crash or a lost host would: open connections break mid-request,
    /// nothing is shut down cleanly. Only for a server from <see cref="StartDedicatedAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        var process = DedicatedProcess();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the stopped server again, on the same port and data, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var process = DedicatedProcess();
        if (!process.HasExited)
        {
            throw new InvalidOperationException("The server is running.");
        }

        process.Dispose();
        _process = Process.Start(_start!)!;
        await WaitUntilReadyAsync(_log!);
    }

    private Process DedicatedProcess() =>
        _dedicated && _process is not null && _start is not null
            ? _process
            : throw new InvalidOperationException("Only a started server of StartDedicatedAsync may be stopped and started.");

    /// <summary>Creates an empty utf8mb4 database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCount)}";
        await using var connection = new MySqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;";
        await command.ExecuteNonQueryAsync();
        return new MySqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database created by <see cref="CreateDatabaseAsync"/>.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new MySqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new MySqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS `{name}`;";
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Note: a file still held open is left for the OS to clean; it is a temp directory.
            }
        }
    }

    private async Task WaitUntilReadyAsync(string log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // Note: unpooled, so the probe neither takes a connection left dead by a stop from the pool nor leaves one there.
        var probe = new MySqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ConnectionString;
        while (true)
        {
            try
            {
                await using var connection = new MySqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (MySqlException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
            {
                await Task.Delay(50);
            }
            catch (MySqlException exception)
            {
                var tail = File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no server log)";
                throw new InvalidOperationException($"The private mariadbd did not become ready:\n{tail}", exception);
            }
        }
    }

    private static async Task<FileStream> AcquireInstallLockAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "identityhost-mariadb-install.lock");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task RunToEndAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
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
            throw new InvalidOperationException(
                $"{file} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private static string? FindExecutable(string name)
    {
        // Note: Debian installs mariadbd in /usr/sbin, which a non-root PATH often lacks.
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]);
        return path.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
    }

}
