using System.Diagnostics;
using System.Net.Sockets;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// HAProxy (Debian's haproxy) in front of both tiers: a TCP listener over the Galera members with a Galera-aware check
/// (<c>deploy/galera/galera-check.sh</c>: in rotation only while Synced and Primary; the first healthy member takes
/// every connection, so writes do not conflict across members), and an HTTP listener over the IdentityHost nodes,
/// checking <c>/health/ready</c>. Checks run every 500 ms; two failures take a server out, two successes bring it back.
/// </summary>
public sealed class HaProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private HaProxy(Process process, string directory, int databasePort, int httpPort)
    {
        _process = process;
        _directory = directory;
        DatabasePort = databasePort;
        HttpPort = httpPort;
    }

    public static string? UnavailableReason => GaleraCluster.Find("haproxy") is null ? "the cluster tests need Debian's haproxy package" : null;

    /// <summary>The port of the Galera listener.</summary>
    public int DatabasePort { get; }

    /// <summary>The port of the IdentityHost listener.</summary>
    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}/");

    public int HttpPort { get; }

    /// <param name="databasePorts">The Galera members' client ports.</param>
    /// <param name="httpPorts">The IdentityHost nodes' ports (they may start later; HAProxy checks until they answer).</param>
    public static async Task<HaProxy> StartAsync(IReadOnlyList<int> databasePorts, IReadOnlyList<int> httpPorts)
    {
        var directory = Directory.CreateTempSubdirectory("identityhost-haproxy-").FullName;
        var databasePort = FreePorts.Next();
        var httpPort = FreePorts.Next();
        var check = Path.Combine(AppContext.BaseDirectory, "galera-check.sh");
        var configuration = $$"""
            global
                insecure-fork-wanted
                external-check
                maxconn 2000

            defaults
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                timeout check 5s

            listen galera
                bind 127.0.0.1:{{databasePort}}
                mode tcp
                balance first
                option external-check
                external-check path "/usr/bin:/bin:/usr/sbin"
                external-check command {{check}}
                default-server inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
            {{string.Join('\n', databasePorts.Select((port, index) => $"    server galera{index} 127.0.0.1:{port} check"))}}

            listen identityhost
                bind 127.0.0.1:{{httpPort}}
                mode http
                balance roundrobin
                option httpchk GET /health/ready
                http-check expect status 200
                retries 2
                retry-on conn-failure empty-response
                option redispatch
                default-server inter 500ms fall 2 rise 2
            {{string.Join('\n', httpPorts.Select((port, index) => $"    server identityhost{index} 127.0.0.1:{port} check"))}}
            """;
        var file = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(file, configuration.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        await GaleraCluster.RunAsync("haproxy", $"-c -q -f {file}");

        var start = new ProcessStartInfo(GaleraCluster.Find("haproxy")!, $"-db -f {file}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = ChildProcesses.Start(start);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new HaProxy(process, directory, databasePort, httpPort);
        await proxy.WaitForPortAsync(databasePort);
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Run(() => ChildProcesses.Kill(_process));

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Note: a temp directory.
        }
    }

    private async Task WaitForPortAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }
}
