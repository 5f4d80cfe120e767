using System.Net;
using System.Net.Http.Headers;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Cors;

/// <summary>
/// A browser app on another origin: it may read discovery and JWKS from anywhere, and call the token, revocation and
/// userinfo endpoints from a registered client's origin (a redirect URI's, or one of its <c>AllowedCorsOrigins</c>)
/// only; never with credentials, and never the navigations (authorize, end-session).
/// </summary>
public abstract class CorsTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    /// <summary>The origin of the SPA client's redirect URI.</summary>
    public const string SpaOrigin = "https://spa.example";

    /// <summary>An origin the SPA client lists in <c>AllowedCorsOrigins</c> (say, its CDN).</summary>
    public const string ExtraOrigin = "https://cdn.spa.example:8443";

    public const string UnknownOrigin = "https://evil.example";

    /// <summary>A public browser client: authorization code with PKCE and refresh tokens, one extra CORS origin.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> SpaClient(params string[] extraOrigins) =>
        new Dictionary<string, string?>
        {
            ["OpenIddict:Clients:20:ClientId"] = "spa",
            ["OpenIddict:Clients:20:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:20:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:20:RedirectUris:0"] = SpaOrigin + "/callback",
            ["OpenIddict:Clients:20:Scopes:0"] = "openid",
            ["OpenIddict:Clients:20:Scopes:1"] = "offline_access",
        }.Concat(extraOrigins.Select((origin, index) =>
            new KeyValuePair<string, string?>($"OpenIddict:Clients:20:AllowedCorsOrigins:{index}", origin)));

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/jwks")]
    public async Task DiscoveryAndJwksAreReadableFromAnyOriginWithoutCredentials(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", UnknownOrigin);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        AssertNoCredentials(response);
    }

    [Theory]
    [InlineData("/connect/token", SpaOrigin)]
    [InlineData("/connect/revoke", SpaOrigin)]
    [InlineData("/connect/userinfo", SpaOrigin)]
    [InlineData("/connect/token", ExtraOrigin)]
    [InlineData("/connect/userinfo", ExtraOrigin)]
    public async Task PreflightFromARegisteredClientsOriginIsAnswered204WithTheMethodsAndHeaders(string path, string origin)
    {
        using var response = await PreflightAsync(path, origin, "authorization, content-type, dpop");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        var headers = Header(response, "Access-Control-Allow-Headers").ToUpperInvariant();
        Assert.All(["AUTHORIZATION", "CONTENT-TYPE", "DPOP"], name => Assert.Contains(name, headers, StringComparison.Ordinal));
        Assert.Contains("Origin", Header(response, "Vary"), StringComparison.Ordinal);
        AssertNoCredentials(response);
    }

    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/revoke")]
    [InlineData("/connect/userinfo")]
    public async Task PreflightFromAnOriginNoClientRunsOnGetsNoCorsHeaders(string path)
    {
        using var response = await PreflightAsync(path, UnknownOrigin, "content-type");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Theory]
    [InlineData("/connect/authorize")]
    [InlineData("/connect/endsession")]
    [InlineData("/connect/introspect")]
    [InlineData("/account/login")]
    public async Task NavigationsAndServerEndpointsTakeNoPartInCors(string path)
    {
        using var response = await PreflightAsync(path, SpaOrigin, "content-type");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TokenResponsesToARegisteredOriginCarryItsOriginErrorsIncluded()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        Client.DefaultRequestHeaders.Add("Origin", SpaOrigin);

        var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var wrongPassword = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x");

        Assert.False(token.IsError, token.Error);
        Assert.Equal(SpaOrigin, Header(token.HttpResponse!, "Access-Control-Allow-Origin"));
        Assert.Contains("Origin", Header(token.HttpResponse!, "Vary"), StringComparison.Ordinal);
        AssertNoCredentials(token.HttpResponse!);
        Assert.Equal("invalid_grant", wrongPassword.Error);
        Assert.Equal(SpaOrigin, Header(wrongPassword.HttpResponse!, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task UserInfoAndRevocationAnswerARegisteredOriginAndNoOther()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        using var userInfo = await WithOriginAsync(ExtraOrigin, new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken) },
        });
        using var userInfoElsewhere = await WithOriginAsync(UnknownOrigin, new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken) },
        });
        using var revocation = await WithOriginAsync(SpaOrigin, new HttpRequestMessage(HttpMethod.Post, "/connect/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = IdentityServerFixture.ClientId,
                ["token"] = token.RefreshToken!,
            }),
        });

        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        Assert.Equal(ExtraOrigin, Header(userInfo, "Access-Control-Allow-Origin"));
        Assert.Contains("WWW-Authenticate", Header(userInfo, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
        // Note: the server answers; the browser withholds the answer from the page, for want of the header.
        Assert.Equal(HttpStatusCode.OK, userInfoElsewhere.StatusCode);
        Assert.False(userInfoElsewhere.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, revocation.StatusCode);
        Assert.Equal(SpaOrigin, Header(revocation, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AClientsNewCorsOriginIsAllowedWithinAMinuteOnEveryNode()
    {
        const string lateOrigin = "https://late.spa.example";
        using (var before = await PreflightAsync("/connect/token", lateOrigin, "content-type"))
        {
            Assert.False(before.Headers.Contains("Access-Control-Allow-Origin"));
        }

        // Note: another node, configured with one more origin, writes it to the shared database at start-up.
        await using (var otherNode = Fixture.CreateHost(SpaClient(ExtraOrigin, lateOrigin)))
        {
            otherNode.CreateClient().Dispose();
        }

        Fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        using var after = await PreflightAsync("/connect/token", lateOrigin, "content-type");

        Assert.Equal(lateOrigin, Header(after, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task StartupFailsGivenACorsOriginWithAPathNamingTheKey()
    {
        await using var host = Fixture.CreateHost(SpaClient("https://cdn.spa.example/app"));

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(
            "OpenIddict:Clients:20:AllowedCorsOrigins:0 must be an origin", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> PreflightAsync(string path, string origin, string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<HttpResponseMessage> WithOriginAsync(string origin, HttpRequestMessage request)
    {
        using (request)
        {
            request.Headers.Add("Origin", origin);
            return await Client.SendAsync(request, TestContext.Current.CancellationToken);
        }
    }

    private static void AssertNoCredentials(HttpResponseMessage response) =>
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"), "CORS must never allow credentials here.");

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : $"(no {name})";
}

/// <summary>The fixture's server with the SPA client registered.</summary>
public sealed class SqliteCorsFixture : SqliteServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => CorsTests.SpaClient(CorsTests.ExtraOrigin);
}

/// <summary>The fixture's server with the SPA client registered, on MariaDB.</summary>
public sealed class MySqlCorsFixture(MariaDbServer mariaDb) : MySqlServerFixture(mariaDb)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => CorsTests.SpaClient(CorsTests.ExtraOrigin);
}

public sealed class SqliteCorsTests(SqliteCorsFixture fixture) : CorsTests(fixture), IClassFixture<SqliteCorsFixture>;

public sealed class MySqlCorsTests(MySqlCorsFixture fixture) : CorsTests(fixture), IClassFixture<MySqlCorsFixture>;
