using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>Per-client-IP limits on password checks and registrations: 429 with Retry-After, per address.</summary>
public sealed class RateLimitingTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task TokenEndpointAnswers429WithRetryAfterOverTheLimit()
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
                Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
            }
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
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

    private IdentityServerHost LimitedHost(int credentials, int registrations) => Fixture.CreateHost(
        new Dictionary<string, string?>
        {
            ["RateLimiting:CredentialsPerMinute"] = credentials.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
