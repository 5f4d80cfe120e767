using System.Diagnostics;
using System.Net;
using System.Text;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// The built identity server (<c>dotnet IdentityServer.dll</c> from its own build output, same configuration as the
/// tests) as a real process on a free loopback port, Development environment, on a SQLite file in a temporary
/// directory, the way scripts/run-newman.sh starts it. Its console output is kept, line by line.
/// </summary>
public sealed class IdentityServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private IdentityServerProcess(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Everything the process wrote so far, standard output and error.</summary>
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

    /// <summary>
    /// Starts the server with <paramref name="settings"/> (as environment variables; <c>:</c> becomes <c>__</c>) and
    /// waits until it is ready; it listens on <paramref name="extraPorts"/> of the loopback too.
    /// </summary>
    public static async Task<IdentityServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, params int[] extraPorts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var directory = Directory.CreateTempSubdirectory("identityhost-process-").FullName;
        var port = FreePorts.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");

        // Note: the tests' own output directory is bin/<configuration>/<framework>; the server's is alike.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var projectDirectory = RepositoryPaths.Combine("src", "IdentityServer");
        var assembly = Path.Combine(projectDirectory, "bin", configuration, framework, "IdentityServer.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"{assembly} is missing: build the solution in {configuration} first.");
        }

        var start = new ProcessStartInfo("dotnet", ["exec", assembly, "--contentRoot", projectDirectory])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = string.Join(';',
            extraPorts.Select(extra => $"http://127.0.0.1:{extra}").Prepend(baseAddress.ToString().TrimEnd('/')));
        start.Environment["ConnectionStrings__IdentityHost"] = $"Data Source={Path.Combine(directory, "identityhost.db")}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new IdentityServerProcess(Process.Start(start)!, directory, baseAddress);
        server._process.OutputDataReceived += (_, line) => server.Append(line.Data);
        server._process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many output lines contain <paramref name="fragment"/>.</summary>
    public int CountLines(string fragment) =>
        Output.Split('\n').Count(line => line.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Waits until <paramref name="count"/> output lines contain <paramref name="fragment"/>.</summary>
    public async Task WaitForLinesAsync(string fragment, int count, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (CountLines(fragment) < count)
        {
            if (clock.Elapsed > limit || _process.HasExited)
            {
                throw new TimeoutException($"Expected {count} lines with '{fragment}', saw {CountLines(fragment)}:\n{Output}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Sends SIGTERM, as <c>docker stop</c> or Kubernetes would.</summary>
    public async Task TerminateAsync()
    {
        // Note: the shell's built-in kill, so the tests need no procps package (a bare Debian image lacks /bin/kill).
        using var kill = Process.Start(new ProcessStartInfo("/bin/sh",
            ["-c", "kill -TERM " + _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Note: a temp directory; the OS cleans it if a file is still held.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                // Note: HasExited can be true before the redirected output is read to its end; waiting for the exit
                // also waits for those reads, so the message holds what the server wrote (seen empty once in CI).
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
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
                // Note: not listening yet, or too busy starting to answer in time.
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"The server was not ready within {limit}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

}
