using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Common;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Api;

/// <summary>
/// What holds for every JSON endpoint of the server, found in its route table rather than listed by hand, so an
/// endpoint added later is covered without touching this test.
/// </summary>
public sealed class JsonEndpointTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public void SeedLoginIsAMappedEndpointInTheRouteTable()
    {
        var login = Assert.Single(Endpoints(), endpoint => endpoint.RoutePattern.RawText == RouteNames.SeedLoginPath);

        Assert.Contains(HttpMethods.Post, login.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods);
        Assert.Contains("application/json", login.Metadata.GetMetadata<IAcceptsMetadata>()!.ContentTypes);
    }

    [Theory]
    [InlineData(RouteNames.TokenPath, RateLimitPolicies.PasswordCheck)]
    [InlineData(RouteNames.SeedLoginPath, RateLimitPolicies.PasswordCheck)]
    [InlineData(RouteNames.LoginPage, RateLimitPolicies.PasswordCheck)]
    [InlineData("/api/auth/register", RateLimitPolicies.Registration)]
    [InlineData("/account/register", RateLimitPolicies.Registration)]
    [InlineData("/api/account/password/forgot", RateLimitPolicies.AccountRecovery)]
    [InlineData("/api/account/email/resend", RateLimitPolicies.AccountRecovery)]
    [InlineData(RouteNames.ForgotPasswordPage, RateLimitPolicies.AccountRecovery)]
    [InlineData(RouteNames.ResendVerificationPage, RateLimitPolicies.AccountRecovery)]
    [InlineData(RouteNames.AccountPage, RateLimitPolicies.PasswordCheck)]
    public void EndpointsThatCheckPasswordsOrCreateAccountsNameTheirRateLimit(string path, string policy)
    {
        var endpoint = Assert.Single(Endpoints(), candidate => "/" + candidate.RoutePattern.RawText?.TrimStart('/') == path);

        Assert.Equal(policy, endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName);
    }

    [Fact]
    public async Task EveryJsonEndpointAnswers415GivenAFormBody()
    {
        var token = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var jsonEndpoints = Endpoints()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)
            .ToList();
        Assert.NotEmpty(jsonEndpoints);

        var answers = new List<string>();
        foreach (var endpoint in jsonEndpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/').Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "someone", ["password"] = "x" }),
                };
                request.SetBearerToken(token);
                using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
                answers.Add($"{method} {path}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
        }

        Assert.All(answers, answer => Assert.EndsWith(": 415 application/problem+json", answer, StringComparison.Ordinal));
        // Note: the ones known today must be among those found, so a change in how endpoints declare JSON cannot empty
        // the list without this test noticing.
        foreach (var known in new[] { "POST /api/auth/register", "POST /api/auth/login", "POST /api/account/password", "PUT /api/users/" })
        {
            Assert.Contains(answers, answer => answer.StartsWith(known, StringComparison.Ordinal));
        }
    }

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        [.. Fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];
}
