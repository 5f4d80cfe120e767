using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Sessions;

/// <summary>
/// A user's sessions (each login: its client, first and last use, address and device) and connected apps, over
/// <c>/api/account/sessions</c> and <c>/api/account/apps</c>: ending one session ends its refresh tokens only.
/// </summary>
public abstract class SessionTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string Android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

    [Fact]
    public async Task SessionsShowEachLoginWithItsClientDeviceAndAddress()
    {
        await using var host = HostWithAddresses();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var laptop = await LoginAsync(host, userName, password, "203.0.113.7", Firefox);
        await LoginAsync(host, userName, password, "198.51.100.23", Android);

        var sessions = await ListAsync(laptop.AccessToken!);

        Assert.Equal(2, sessions.GetArrayLength());
        var current = sessions.EnumerateArray().Single(session => session.GetProperty("current").GetBoolean());
        Assert.Equal("Firefox on Linux", current.GetProperty("device").GetString());
        Assert.Equal("203.0.113.7", current.GetProperty("ipAddress").GetString());
        Assert.Equal(IdentityServerFixture.ClientId, current.GetProperty("clientId").GetString());
        var phone = sessions.EnumerateArray().Single(session => !session.GetProperty("current").GetBoolean());
        Assert.Equal("Chrome on Android", phone.GetProperty("device").GetString());
        Assert.Equal("198.51.100.23", phone.GetProperty("ipAddress").GetString());
    }

    [Fact]
    public async Task ARefreshMovesTheLastUseOfItsSession()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        var refreshed = await IdentityServerFixture.RefreshAsync(Client, login.RefreshToken!);

        var session = Assert.Single((await ListAsync(refreshed.AccessToken!)).EnumerateArray());
        var first = session.GetProperty("firstUsedAt").GetDateTimeOffset();
        var last = session.GetProperty("lastUsedAt").GetDateTimeOffset();
        Assert.InRange(last - first, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.True(session.GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task EndingASessionEndsItsRefreshTokensOnly()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var kept = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var ended = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var endedId = (await ListAsync(ended.AccessToken!)).EnumerateArray().Single(session => session.GetProperty("current").GetBoolean())
            .GetProperty("id").GetString();

        using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, $"/api/account/sessions/{endedId}", null, kept.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, ended.RefreshToken!)).Error);
        Assert.False((await IdentityServerFixture.RefreshAsync(Client, kept.RefreshToken!)).IsError);
        Assert.Single((await ListAsync(kept.AccessToken!)).EnumerateArray());
    }

    [Fact]
    public async Task NobodyEndsAnotherUsersSession()
    {
        var (victim, victimPassword) = await IdentityServerFixture.CreateUserAsync(Client);
        var victimLogin = await IdentityServerFixture.RequestPasswordTokenAsync(Client, victim, victimPassword);
        var victimSession = (await ListAsync(victimLogin.AccessToken!)).EnumerateArray().Single().GetProperty("id").GetString();
        var attacker = await Fixture.GetAccessTokenAsync(Client);

        using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, $"/api/account/sessions/{victimSession}", null, attacker);

        await Problem.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.False((await IdentityServerFixture.RefreshAsync(Client, victimLogin.RefreshToken!)).IsError);
    }

    [Fact]
    public async Task SigningOutEverywhereElseKeepsOnlyTheCurrentLogin()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var current = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var others = new[]
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password),
            await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password),
        };

        using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, "/api/account/sessions", null, current.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var other in others)
        {
            Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, other.RefreshToken!)).Error);
        }

        Assert.False((await IdentityServerFixture.RefreshAsync(Client, current.RefreshToken!)).IsError);
    }

    [Fact]
    public async Task ConnectedAppsShowConsentsAndRevokingOneAsksForConsentAgain()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        using var toConsent = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), "openid profile");
        using var allowed = await browser.SubmitAsync(toConsent.Headers.Location!.OriginalString, new Dictionary<string, string> { ["decision"] = "allow" });
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken!;

        var apps = await GetAsync("/api/account/apps", token);
        var app = Assert.Single(apps.EnumerateArray());
        Assert.Equal("Third Party App", app.GetProperty("name").GetString());
        Assert.Equal(["openid", "profile"], app.GetProperty("scopes").EnumerateArray().Select(scope => scope.GetString()).Order());

        using var revoked = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, $"/api/account/apps/{app.GetProperty("id").GetString()}", null, token);
        using var again = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), "openid profile");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Empty((await GetAsync("/api/account/apps", token)).EnumerateArray());
        Assert.StartsWith("/account/consent", BrowserSession.LocalTarget(again), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountEndpointsNeedTheUsersOwnAccessToken()
    {
        using var anonymous = await Client.GetAsync(new Uri("/api/account/sessions", UriKind.Relative), TestContext.Current.CancellationToken);
        var machine = await Fixture.RequestMachineTokenAsync(Client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account/sessions");
        request.SetBearerToken(machine.AccessToken!);
        using var asMachine = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await Problem.ReadAsync(asMachine, HttpStatusCode.Forbidden);
    }

    private IdentityServerHost HostWithAddresses() => Fixture.CreateHost(services: services =>
        services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Loopback)));

    private static async Task<TokenResponse> LoginAsync(IdentityServerHost host, string userName, string password, string address, string userAgent)
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFilter.Header, address);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        var token = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        Assert.False(token.IsError, token.Error);
        return token;
    }

    private Task<JsonElement> ListAsync(string accessToken) => GetAsync("/api/account/sessions", accessToken);

    private async Task<JsonElement> GetAsync(string path, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.SetBearerToken(accessToken);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteSessionTests(SqliteServerFixture fixture) : SessionTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlSessionTests(MySqlServerFixture fixture) : SessionTests(fixture), IClassFixture<MySqlServerFixture>;
