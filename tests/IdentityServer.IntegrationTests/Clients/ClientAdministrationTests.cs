using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Clients;

/// <summary>
/// <c>/api/clients</c>: clients made at run time work at once (their secret shown once), can be edited, rotated and
/// deleted, survive a restart's synchronisation; clients from configuration are listed and read-only.
/// </summary>
public abstract class ClientAdministrationTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly string[] ClientCredentials = ["client_credentials"];
    private static readonly string[] Api = ["api"];
    private static readonly string[] Openid = ["openid"];
    private static readonly string[] Password = ["password"];
    private static readonly string[] ApiOpenid = ["api", "openid"];

    [Fact]
    public async Task CreatedConfidentialClientGetsTokensWithTheSecretShownOnce()
    {
        var clientId = NewClientId();

        using var created = await SendAsync(HttpMethod.Post, "/api/clients",
            new { clientId, confidential = true, grantTypes = ClientCredentials, scopes = Api });
        var body = await ReadAsync(created);
        var secret = body.GetProperty("clientSecret").GetString()!;
        using var read = await SendAsync(HttpMethod.Get, $"/api/clients/{clientId}", body: null);
        var token = await RequestTokenAsync(clientId, secret);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/clients/{clientId}", created.Headers.Location?.OriginalString);
        Assert.Equal("api", body.GetProperty("source").GetString());
        Assert.True(secret.Length >= 43);
        Assert.False((await ReadAsync(read)).TryGetProperty("clientSecret", out _));
        Assert.False(token.IsError, token.Raw);
    }

    [Fact]
    public async Task RotatedSecretReplacesTheOldOne()
    {
        var (clientId, secret) = await CreateMachineClientAsync();
        Assert.False((await RequestTokenAsync(clientId, secret)).IsError);

        using var rotated = await SendAsync(HttpMethod.Post, $"/api/clients/{clientId}/secret", body: null);
        var fresh = (await ReadAsync(rotated)).GetProperty("clientSecret").GetString()!;

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(secret, fresh);
        Assert.Equal("invalid_client", ErrorOf(await RequestTokenAsync(clientId, secret)));
        Assert.False((await RequestTokenAsync(clientId, fresh)).IsError);
    }

    [Fact]
    public async Task EditedClientKeepsItsSecretAndLosesTheGrantTakenAway()
    {
        var (clientId, secret) = await CreateMachineClientAsync();

        using var edited = await SendAsync(HttpMethod.Put, $"/api/clients/{clientId}",
            new { displayName = "Renamed", grantTypes = ClientCredentials, scopes = Openid, requireMfa = true });
        var body = await ReadAsync(edited);

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("Renamed", body.GetProperty("displayName").GetString());
        Assert.True(body.GetProperty("requireMfa").GetBoolean());
        Assert.True(body.GetProperty("hasSecret").GetBoolean());
        Assert.Equal("invalid_scope", (await RequestTokenAsync(clientId, secret, "api")).Error);
        Assert.False((await RequestTokenAsync(clientId, secret, "openid")).IsError);
    }

    [Fact]
    public async Task DeletedClientGetsNoMoreTokens()
    {
        var (clientId, secret) = await CreateMachineClientAsync();

        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/clients/{clientId}", body: null);
        using var read = await SendAsync(HttpMethod.Get, $"/api/clients/{clientId}", body: null);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("invalid_client", ErrorOf(await RequestTokenAsync(clientId, secret)));
    }

    [Fact]
    public async Task ConfiguredClientsAreListedAndReadOnly()
    {
        using var list = await SendAsync(HttpMethod.Get, "/api/clients?pageSize=200", body: null);
        var items = (await ReadAsync(list)).GetProperty("items").EnumerateArray().ToList();
        var machine = Assert.Single(items, item => item.GetProperty("clientId").GetString() == IdentityServerFixture.MachineClientId);

        using var edit = await SendAsync(HttpMethod.Put, $"/api/clients/{IdentityServerFixture.MachineClientId}", new { grantTypes = ClientCredentials });
        using var delete = await SendAsync(HttpMethod.Delete, $"/api/clients/{IdentityServerFixture.MachineClientId}", body: null);
        using var rotate = await SendAsync(HttpMethod.Post, $"/api/clients/{IdentityServerFixture.MachineClientId}/secret", body: null);

        Assert.Equal("configuration", machine.GetProperty("source").GetString());
        Assert.Equal(["client_credentials"], machine.GetProperty("grantTypes").EnumerateArray().Select(grant => grant.GetString()));
        Assert.False(machine.TryGetProperty("clientSecret", out _));
        Assert.All([edit, delete, rotate], response => Assert.Equal(HttpStatusCode.Conflict, response.StatusCode));
        Assert.False((await Fixture.RequestMachineTokenAsync(Client)).IsError);
    }

    [Fact]
    public async Task ClientMadeAtRunTimeSurvivesARestartsSynchronisation()
    {
        var (clientId, secret) = await CreateMachineClientAsync();

        // Note: a second host on the same database runs the start-up synchronisation with the same configuration.
        await using var restarted = Fixture.CreateHost();
        using var client = restarted.CreateClient();
        var token = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

        Assert.False(token.IsError, token.Raw);
    }

    [Fact]
    public async Task AnotherNodeSeesARotatedSecretWithinAMinute()
    {
        var (clientId, secret) = await CreateMachineClientAsync();
        await using var other = Fixture.CreateHost();
        using var otherClient = other.CreateClient();
        Assert.False((await RequestTokenAsync(otherClient, clientId, secret)).IsError);

        using var rotated = await SendAsync(HttpMethod.Post, $"/api/clients/{clientId}/secret", body: null);
        var fresh = (await ReadAsync(rotated)).GetProperty("clientSecret").GetString()!;
        var staleAtOnce = await RequestTokenAsync(otherClient, clientId, secret);
        Fixture.Clock.Advance(TimeSpan.FromSeconds(61));

        // Note: the other node keeps its copy of the client for up to a minute (README, "Clients managed at run time").
        Assert.False(staleAtOnce.IsError, staleAtOnce.Raw);
        Assert.Equal("invalid_client", ErrorOf(await RequestTokenAsync(otherClient, clientId, secret)));
        Assert.False((await RequestTokenAsync(otherClient, clientId, fresh)).IsError);
    }

    [Theory]
    [InlineData("""{"confidential":true,"grantTypes":["client_credentials"]}""", "clientId")]
    [InlineData("""{"clientId":"has space","grantTypes":["client_credentials"]}""", "clientId")]
    [InlineData("""{"clientId":"x1","grantTypes":["client_credentials"]}""", "confidential")]
    [InlineData("""{"clientId":"x2","grantTypes":["implicit"]}""", "grantTypes")]
    [InlineData("""{"clientId":"x3","grantTypes":["authorization_code"],"redirectUris":["/signin"]}""", "redirectUris[0]")]
    [InlineData("""{"clientId":"x4","grantTypes":["password"],"scopes":["phone"]}""", "scopes")]
    public async Task CreateFailsGivenBadSettingsNamingTheField(string json, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/clients")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.SetBearerToken(await AdminTokenAsync());
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task CreateFailsGivenATakenClientId()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/clients",
            new { clientId = IdentityServerFixture.ClientId, grantTypes = Password });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task ClientChangesAreAudited()
    {
        var (clientId, _) = await CreateMachineClientAsync();
        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/clients/{clientId}", body: null);

        // Note: events outside a transaction reach the table in batches, moments later.
        var types = new List<string?>();
        for (var attempt = 0; attempt < 200 && types.Count < 2; attempt++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
            using var audit = await SendAsync(HttpMethod.Get, $"/api/audit?clientId={clientId}", body: null);
            types = [.. (await ReadAsync(audit)).GetProperty("items").EnumerateArray().Select(item => item.GetProperty("type").GetString())];
        }

        Assert.Equal(["client.deleted", "client.created"], types);
    }

    [Fact]
    public async Task ClientsApiNeedsAnAdministratorsToken()
    {
        var user = await Fixture.GetAccessTokenAsync(Client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients");
        request.SetBearerToken(user);

        using var forbidden = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        using var anonymous = await Client.GetAsync("/api/clients", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>The OAuth error of a token response; the library reports a 401 as an HTTP error, so its body is read here.</summary>
    private static string? ErrorOf(TokenResponse response) =>
        response.HttpStatusCode == HttpStatusCode.Unauthorized
            ? JsonDocument.Parse(response.Raw!).RootElement.GetProperty("error").GetString()
            : response.Error;

    private static string NewClientId() => "app-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(string ClientId, string Secret)> CreateMachineClientAsync()
    {
        var clientId = NewClientId();
        using var created = await SendAsync(HttpMethod.Post, "/api/clients",
            new { clientId, confidential = true, grantTypes = ClientCredentials, scopes = ApiOpenid });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (clientId, (await ReadAsync(created)).GetProperty("clientSecret").GetString()!);
    }

    private Task<TokenResponse> RequestTokenAsync(string clientId, string secret, string scope = "api") =>
        RequestTokenAsync(Client, clientId, secret, scope);

    private static Task<TokenResponse> RequestTokenAsync(HttpClient client, string clientId, string secret, string scope = "api") =>
        client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scope = scope,
        }, TestContext.Current.CancellationToken);

    private string? _adminToken;

    private async Task<string> AdminTokenAsync() => _adminToken ??= await Fixture.GetAccessTokenAsync(Client, admin: true);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body) =>
        await IdentityServerFixture.SendJsonAsync(Client, method, path, body, await AdminTokenAsync());

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteClientAdministrationTests(SqliteServerFixture fixture)
    : ClientAdministrationTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlClientAdministrationTests(MySqlServerFixture fixture)
    : ClientAdministrationTests(fixture), IClassFixture<MySqlServerFixture>;
