using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// Per-client-IP limits on password checks, other token requests and registrations: 429 with Retry-After, per address;
/// on the token endpoint only the password grant counts as a password check.
/// </summary>
public sealed class RateLimitingTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task TokenEndpointAnswers429WithRetryAfterAndAnOAuthErrorClientsParseOverTheLimit()
    {
        await using var host = LimitedHost(credentials: 3, registrations: 100);
        using var client = host.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var response = await WrongPasswordAsync(client, "198.51.100.7");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var seconds = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(seconds, 1, 60);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                // Note: RFC 6749 section 5.2 defines no temporarily_unavailable for the token endpoint.
                Assert.Equal("invalid_request", body.RootElement.GetProperty("error").GetString());
                Assert.Equal($"Too many requests from this address; retry after {seconds} seconds.",
                    body.RootElement.GetProperty("error_description").GetString());
            }
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task SixtyOneClientCredentialsAndRefreshRequestsAreNotCountedAsPasswordChecks()
    {
        await using var host = LimitedHost(credentials: 60, registrations: 100, tokenRequests: 1200);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFilter.Header, "198.51.100.12");
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var refreshToken = (await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password)).RefreshToken!;

        var failures = new List<string>();
        for (var attempt = 0; attempt < 61; attempt++)
        {
            var machine = await Fixture.RequestMachineTokenAsync(client);
            var refreshed = await IdentityServerFixture.RefreshAsync(client, refreshToken);
            if (machine.IsError || refreshed.IsError)
            {
                failures.Add($"#{attempt}: client_credentials {machine.HttpStatusCode} {machine.Error}, refresh {refreshed.HttpStatusCode} {refreshed.Error}");
            }

            refreshToken = refreshed.RefreshToken ?? refreshToken;
        }

        Assert.Empty(failures);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password)).IsError);
    }

    [Fact]
    public async Task OtherGrantsAreLimitedByTheTokenRequestLimit()
    {
        await using var host = LimitedHost(credentials: 2, registrations: 100, tokenRequests: 4);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFilter.Header, "198.51.100.13");

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            statuses.Add((await Fixture.RequestMachineTokenAsync(client)).HttpStatusCode);
        }

        var overTheLimit = await Fixture.RequestMachineTokenAsync(client);
        using var passwordGrant = await WrongPasswordAsync(client, "198.51.100.13");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        using var error = JsonDocument.Parse(overTheLimit.Raw!);
        Assert.Equal("invalid_request", error.RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, passwordGrant.StatusCode);
    }

    [Fact]
    public async Task PasswordGrantsAreLimitedAtCredentialsPerMinuteWhateverOtherGrantsDid()
    {
        await using var host = LimitedHost(credentials: 3, registrations: 100, tokenRequests: 100);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFilter.Header, "198.51.100.14");
        for (var attempt = 0; attempt < 10; attempt++)
        {
            Assert.False((await Fixture.RequestMachineTokenAsync(client)).IsError);
        }

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var response = await WrongPasswordAsync(client, "198.51.100.14");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task StartupFailsGivenANonPositiveTokenRequestLimitNamingTheKey()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { ["RateLimiting:TokenRequestsPerMinute"] = "0" });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains("RateLimiting:TokenRequestsPerMinute must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachAddressHasItsOwnLimit()
    {
        await using var host = LimitedHost(credentials: 2, registrations: 100);
        using var client = host.CreateClient();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var _ = await WrongPasswordAsync(client, "198.51.100.8");
        }

        using var otherAddress = await WrongPasswordAsync(client, "198.51.100.9");

        Assert.Equal(HttpStatusCode.BadRequest, otherAddress.StatusCode);
    }

    [Fact]
    public async Task SeedLoginAndSignInPageShareTheTokenEndpointsLimit()
    {
        await using var host = LimitedHost(credentials: 2, registrations: 100);
        using var client = host.CreateClient();
        using var first = await WrongPasswordAsync(client, "198.51.100.10");
        using var seedLogin = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { username = "nobody-here", password = "not the password at all" }),
        };
        seedLogin.Headers.Add(RemoteAddressFilter.Header, "198.51.100.10");
        using var second = await client.SendAsync(seedLogin, TestContext.Current.CancellationToken);
        using var signInPage = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = new FormUrlEncodedContent([]) };
        signInPage.Headers.Add(RemoteAddressFilter.Header, "198.51.100.10");
        using var third = await client.SendAsync(signInPage, TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task RegistrationAnswers429AsProblemDetailsOverTheLimit()
    {
        await using var host = LimitedHost(credentials: 100, registrations: 2);
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
            {
                Content = JsonContent.Create(new { username = IdentityServerFixture.NewUserName(), password = IdentityServerFixture.NewPassword() }),
            };
            request.Headers.Add(RemoteAddressFilter.Header, "198.51.100.11");
            last = await client.SendAsync(request, TestContext.Current.CancellationToken);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        var problem = await Problem.ReadAsync(last!, HttpStatusCode.TooManyRequests);
        Assert.Contains("retry after", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(last!.Headers.Contains("Retry-After"));
        last.Dispose();
    }

    private IdentityServerHost LimitedHost(int credentials, int registrations, int tokenRequests = 1200) => Fixture.CreateHost(
        new Dictionary<string, string?>
        {
            ["RateLimiting:CredentialsPerMinute"] = credentials.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:TokenRequestsPerMinute"] = tokenRequests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:RegistrationsPerMinute"] = registrations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services: services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Loopback)));

    private static async Task<HttpResponseMessage> WrongPasswordAsync(HttpClient client, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["client_id"] = IdentityServerFixture.ClientId,
                ["username"] = "nobody-here",
                ["password"] = "not the password at all",
            }),
        };
        request.Headers.Add(RemoteAddressFilter.Header, address);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
