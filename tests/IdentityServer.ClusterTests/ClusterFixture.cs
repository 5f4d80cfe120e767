using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;

[assembly: AssemblyFixture(typeof(IdentityHost.IdentityServer.ClusterTests.ClusterFixture))]

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// The cluster every test of this assembly shares: three Galera members, HAProxy in front of them and of three
/// IdentityHost nodes (node <c>i</c> talks to member <c>i</c> directly), all on one database. Tests run one at a time
/// (xunit.runner.json); a test that kills or isolates something brings it back before it ends.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>When <c>1</c> (or with IDENTITYHOST_REQUIRE_ALL=1, as CI sets), missing cluster tools fail the run.</summary>
    public const string RequireVariable = "IDENTITYHOST_REQUIRE_CLUSTER";

    public const string Database = "identityhost_cluster";

    public const string ClientId = "postman";

    private readonly int[] _appPorts = Enumerable.Range(0, GaleraCluster.Size).Select(_ => FreePorts.Next()).ToArray();
    private GaleraCluster? _cluster;
    private HaProxy? _proxy;

    public string? SkipReason { get; private set; }

    public GaleraCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not running.");

    public HaProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy is not running.");

    public AppNode[] Nodes { get; } = new AppNode[GaleraCluster.Size];

    public static bool IsRequired =>
        Environment.GetEnvironmentVariable(RequireVariable) == "1" || Environment.GetEnvironmentVariable("IDENTITYHOST_REQUIRE_ALL") == "1";

    public async ValueTask InitializeAsync()
    {
        SkipReason = GaleraCluster.UnavailableReason ?? HaProxy.UnavailableReason;
        if (SkipReason is not null)
        {
            if (IsRequired)
            {
                throw new InvalidOperationException($"The cluster tests are required here, but {SkipReason}.");
            }

            return;
        }

        _cluster = await GaleraCluster.StartAsync();
        // Note: the user HAProxy's Galera check logs in as (deploy/galera/galera-check.sh), as deploy/galera/init.sql
        // creates it for docker-compose.cluster.yml: no password, no privilege; replicated to every member.
        await _cluster.ExecuteAsync(0, "CREATE USER IF NOT EXISTS 'haproxy_check'@'%'");
        _proxy = await HaProxy.StartAsync(_cluster.Ports, _appPorts);
        await _cluster.CreateDatabaseAsync(Database);
        for (var index = 0; index < GaleraCluster.Size; index++)
        {
            Nodes[index] = AppNode.Launch(NodeSettings(index), _appPorts[index]);
        }

        foreach (var node in Nodes)
        {
            await node.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        }
    }

    /// <summary>The settings of shared node <paramref name="index"/>, on member <paramref name="index"/>.</summary>
    public Dictionary<string, string> NodeSettings(int index)
    {
        var settings = AppNode.Settings(Cluster.ConnectionString(index, Database));
        settings["Serilog:MinimumLevel:Override:IdentityHost.Audit"] = "Information";
        settings["Accounts:LockoutThreshold"] = "30";
        return settings;
    }

    /// <summary>Starts shared node <paramref name="index"/> again after a test killed it.</summary>
    public async Task RestartNodeAsync(int index)
    {
        await Nodes[index].DisposeAsync();
        Nodes[index] = await AppNode.StartAsync(NodeSettings(index), _appPorts[index]);
    }

    public async ValueTask DisposeAsync()
    {
        // Note: each part on its own, so one that fails to stop does not leave the others running.
        var parts = Nodes.Where(node => node is not null).Cast<IAsyncDisposable>()
            .Append(_proxy).Append(_cluster).OfType<IAsyncDisposable>();
        foreach (var part in parts)
        {
            try
            {
                await part.DisposeAsync();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Console.Error.WriteLine($"Stopping {part.GetType().Name} failed: {exception.Message}");
            }
        }
    }

    public static string NewUserName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)];

    public static string NewPassword() => "pw-" + Guid.NewGuid().ToString("N");

    public static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string userName, string password, CancellationToken cancellationToken = default) =>
        await client.PostAsJsonAsync("/api/auth/register", new Dictionary<string, string> { ["username"] = userName, ["password"] = password },
            cancellationToken);

    public static async Task<HttpResponseMessage> PasswordGrantAsync(HttpClient client, string userName, string password, CancellationToken cancellationToken = default) =>
        await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ClientId,
            ["username"] = userName,
            ["password"] = password,
            ["scope"] = "openid offline_access api",
        }), cancellationToken);

    public static async Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken) =>
        await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = ClientId,
            ["refresh_token"] = refreshToken,
        }));

    public static async Task<HttpResponseMessage> RevokeAsync(HttpClient client, string token) =>
        await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["token"] = token,
            ["token_type_hint"] = "refresh_token",
        }));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Registers a user at <paramref name="client"/> and returns its password grant's refresh token.</summary>
    public static async Task<(string UserName, string Password, string RefreshToken)> SignedInUserAsync(HttpClient client)
    {
        var userName = NewUserName("u");
        var password = NewPassword();
        using var registered = await RegisterAsync(client, userName, password);
        Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        using var tokens = await PasswordGrantAsync(client, userName, password);
        Assert.True(tokens.IsSuccessStatusCode, await tokens.Content.ReadAsStringAsync());
        return (userName, password, (await JsonAsync(tokens)).GetProperty("refresh_token").GetString()!);
    }
}
