using System.Diagnostics;
using System.Net;
using System.Text;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// One IdentityHost node: the built server (<c>dotnet IdentityServer.dll</c>) as a real process on a loopback port,
/// Development environment, MySQL provider, its console output kept. It can be killed (SIGKILL) like a lost machine.
/// </summary>
public sealed class AppNode : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string _directory;
    private Process? _process;

    private AppNode(int port, string directory)
    {
        Port = port;
        _directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The settings every cluster node runs with, on the given connection string.</summary>
    public static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["Database:Provider"] = "MySql",
        ["ConnectionStrings:IdentityHost"] = connectionString,
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["Serilog:MinimumLevel:Override:IdentityHost.IdentityServer.Data.DatabaseInitializer"] = "Information",
        // Note: every test request comes from one address.
        ["RateLimiting:CredentialsPerMinute"] = "1000000",
        ["RateLimiting:TokenRequestsPerMinute"] = "1000000",
        ["RateLimiting:RegistrationsPerMinute"] = "1000000",
        ["RateLimiting:RecoveryRequestsPerMinute"] = "1000000",
        ["Accounts:PasswordHashIterations"] = "100000",
        ["OpenIddict:RefreshTokenReuseLeeway"] = "00:00:00",
    };

    /// <summary>Starts a node on <paramref name="port"/> (a free one when 0) without waiting for it.</summary>
    public static AppNode Launch(IReadOnlyDictionary<string, string> settings, int port = 0)
    {
        var node = new AppNode(port == 0 ? FreePorts.Next() : port, Directory.CreateTempSubdirectory("identityhost-node-").FullName);
        node.Start(settings);
        return node;
    }

    /// <summary>Starts a node and waits until it is ready.</summary>
    public static async Task<AppNode> StartAsync(IReadOnlyDictionary<string, string> settings, int port = 0)
    {
        var node = Launch(settings, port);
        await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        return node;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Whether the process ended (a failed start-up, for example).</summary>
    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Kills the node at once (SIGKILL): requests in flight break, nothing is shut down.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await Task.Run(() => ChildProcesses.Kill(_process));
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails when the process exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"The node on {Port} exited with {_process?.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Note: not listening yet.
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"The node on {Port} was not ready within {limit}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Note: a temp directory.
        }
    }

    private void Start(IReadOnlyDictionary<string, string> settings)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var projectDirectory = RepositoryPaths.Combine("src", "IdentityServer");
        var assembly = Path.Combine(projectDirectory, "bin", testOutput.Parent!.Name, testOutput.Name, "IdentityServer.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"{assembly} is missing: build the solution first.");
        }

        var start = new ProcessStartInfo("dotnet", ["exec", assembly, "--contentRoot", projectDirectory])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = ChildProcesses.Start(start);
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
