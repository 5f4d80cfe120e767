using System.Net;
using System.Text.Json;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>Security headers on every answer, HTTPS with HSTS when required, forwarded headers only from known proxies.</summary>
public sealed class HttpHardeningTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/account/login")]
    [InlineData("GET", "/.well-known/openid-configuration")]
    [InlineData("GET", "/health/live")]
    [InlineData("GET", "/api/users/someone")]
    [InlineData("GET", "/no/such/page")]
    [InlineData("POST", "/connect/token")]
    [InlineData("POST", "/api/auth/register")]
    public async Task EveryResponseCarriesSecurityHeaders(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedRegistrationGets413ProblemDetails()
    {
        using var content = new StringContent(
            "{\"username\":\"" + new string('a', 100_000) + "\",\"password\":\"x\"}", System.Text.Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync(new Uri("/api/auth/register", UriKind.Relative), content, TestContext.Current.CancellationToken);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("larger than 65536 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedTokenRequestGets413InTheOAuthErrorFormat()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = IdentityServerFixture.ClientId,
            ["username"] = "someone",
            ["password"] = new string('p', 100_000),
        });

        using var response = await Client.PostAsync(new Uri("/connect/token", UriKind.Relative), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_request", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task RefusedBodiesAreLoggedWithTheStatusTheClientGotNotAsServerErrors()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Information",
        });
        using var client = host.CreateClient();
        using var form = new StringContent("grant_type=password&username=%00", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var overlong = new StringContent(new string('k', 3000), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var oversized = new StringContent(new string('k', 100_000), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        using var token = await client.PostAsync(new Uri("/connect/token", UriKind.Relative), form, TestContext.Current.CancellationToken);
        using var registration = await client.PostAsync(new Uri("/api/auth/register", UriKind.Relative), overlong, TestContext.Current.CancellationToken);
        using var refused = await client.PostAsync(new Uri("/connect/revoke", UriKind.Relative), oversized, TestContext.Current.CancellationToken);

        // Note: both bodies make the framework's readers throw, which MalformedRequestHandler answers.
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, registration.StatusCode);
        // Note: and this one the hardening refuses by its Content-Length, before any reader.
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        await WaitForLogLineAsync(host, "\"/connect/token\" responded 400");
        await WaitForLogLineAsync(host, "\"/api/auth/register\" responded 415");
        await WaitForLogLineAsync(host, "\"/connect/revoke\" responded 413");
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(" responded 500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PagesMayRunNoScriptAndThePasskeyPagesOnlyTheServersOwnFile()
    {
        using var register = await Client.GetAsync(new Uri("/account/register", UriKind.Relative), TestContext.Current.CancellationToken);
        using var login = await Client.GetAsync(new Uri("/account/login", UriKind.Relative), TestContext.Current.CancellationToken);

        const string pages = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";
        Assert.Equal(pages, Header(register, "Content-Security-Policy"));
        Assert.Equal(pages + "; script-src 'self'; connect-src 'self'", Header(login, "Content-Security-Policy"));
    }

    [Fact]
    public async Task HttpsIsEnforcedWithHstsWhenRequired()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:RequireHttps"] = "true",
            ["https_port"] = "443",
        });
        using var http = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var https = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri("https://identity.example/"),
        });

        using var redirected = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        using var secure = await https.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https", redirected.Headers.Location!.Scheme);
        Assert.Equal("max-age=31536000", Header(secure, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task ForwardedHeadersAreIgnoredFromAnUnknownSender()
    {
        Assert.Equal("http://localhost/", await IssuerSeenBehindAsync(Client));
    }

    [Fact]
    public async Task ForwardedHeadersAreBelievedFromAConfiguredProxy()
    {
        await using var host = Fixture.CreateHost(
            new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "10.9.8.7" },
            services: services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Parse("10.9.8.7"))));
        using var client = host.CreateClient();

        Assert.Equal("https://localhost/", await IssuerSeenBehindAsync(client));
    }

    [Fact]
    public async Task ForwardedHeadersFromAnotherAddressAreIgnoredEvenWithAProxyConfigured()
    {
        await using var host = Fixture.CreateHost(
            new Dictionary<string, string?> { ["ForwardedHeaders:KnownNetworks:0"] = "10.9.8.0/24" },
            services: services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Parse("192.0.2.1"))));
        using var client = host.CreateClient();

        Assert.Equal("http://localhost/", await IssuerSeenBehindAsync(client));
    }

    [Fact]
    public async Task StartupFailsGivenAnInvalidProxyNamingTheKey()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { ["ForwardedHeaders:KnownNetworks:0"] = "not-a-network" });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains("ForwardedHeaders:KnownNetworks must hold networks", StringComparison.Ordinal));
    }

    private static async Task<string?> IssuerSeenBehindAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.RootElement.GetProperty("issuer").GetString();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : $"(no {name})";

    /// <summary>Note: the request log's line is written when the pipeline returns, which can be just after the client
    /// has its answer.</summary>
    private static async Task WaitForLogLineAsync(IdentityServerHost host, string fragment)
    {
        for (var attempt = 0; attempt < 100 && !host.Logs.Lines.Any(line => line.Contains(fragment, StringComparison.Ordinal)); attempt++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Contains(host.Logs.Lines, line => line.Contains(fragment, StringComparison.Ordinal));
    }
}
