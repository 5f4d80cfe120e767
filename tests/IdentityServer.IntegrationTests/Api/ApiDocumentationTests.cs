using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: every JSON route the server maps is in it with the status codes it
/// answers, and what a caller gets by doing it wrong is documented.
/// </summary>
public abstract partial class ApiDocumentationTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    /// <summary>The contract: each JSON route and every status code it may answer.</summary>
    public static readonly TheoryData<string, string, int[]> Routes = new()
    {
        { "POST", "/api/auth/register", [201, 400, 403, 409, 415, 429, 503] },
        { "POST", "/api/auth/login", [200, 400, 401, 415, 429, 503] },
        { "GET", "/api/users/{id}", [200, 401, 403, 404, 503] },
        { "GET", "/api/users", [200, 400, 401, 403, 503] },
        { "POST", "/api/users", [201, 400, 401, 403, 409, 415, 503] },
        { "POST", "/api/users/{id}/disable", [204, 401, 403, 404, 409, 503] },
        { "POST", "/api/users/{id}/enable", [204, 401, 403, 404, 503] },
        { "PUT", "/api/users/{id}/roles", [200, 400, 401, 403, 404, 415, 503] },
        { "DELETE", "/api/users/{id}", [204, 401, 403, 404, 409, 503] },
        { "POST", "/api/users/{id}/password-reset", [202, 401, 403, 404, 409, 503] },
        { "GET", "/api/users/{id}/sessions", [200, 401, 403, 404, 503] },
        { "DELETE", "/api/users/{id}/sessions", [204, 401, 403, 404, 503] },
        { "POST", "/api/users/{id}/mfa/reset", [204, 401, 403, 404, 503] },
        { "POST", "/api/account/password/forgot", [202, 400, 415, 429, 503] },
        { "POST", "/api/account/password/reset", [204, 400, 415, 503] },
        { "POST", "/api/account/email/verify", [204, 400, 409, 415, 503] },
        { "POST", "/api/account/email/resend", [202, 400, 415, 429, 503] },
        { "POST", "/api/account/password", [204, 400, 401, 403, 415, 503] },
        { "GET", "/api/account", [200, 401, 403, 503] },
        { "DELETE", "/api/account", [204, 400, 401, 403, 415, 429, 503] },
        { "PUT", "/api/account/email", [202, 204, 400, 401, 403, 409, 415, 429, 503] },
        { "GET", "/api/account/sessions", [200, 401, 403, 503] },
        { "DELETE", "/api/account/sessions", [204, 401, 403, 503] },
        { "DELETE", "/api/account/sessions/{id}", [204, 401, 403, 404, 503] },
        { "GET", "/api/account/apps", [200, 401, 403, 503] },
        { "DELETE", "/api/account/apps/{id}", [204, 401, 403, 404, 503] },
        { "GET", "/api/account/export", [200, 401, 403, 503] },
        { "GET", "/api/audit", [200, 400, 401, 403, 503] },
        { "GET", "/api/audit/{id}", [200, 401, 403, 404, 503] },
        { "GET", "/api/audit/export", [200, 400, 401, 403, 503] },
        { "GET", "/api/clients", [200, 400, 401, 403, 503] },
        { "GET", "/api/clients/{clientId}", [200, 401, 403, 404, 503] },
        { "POST", "/api/clients", [201, 400, 401, 403, 409, 415, 503] },
        { "PUT", "/api/clients/{clientId}", [200, 400, 401, 403, 404, 409, 415, 503] },
        { "DELETE", "/api/clients/{clientId}", [204, 401, 403, 404, 409, 503] },
        { "POST", "/api/clients/{clientId}/secret", [200, 400, 401, 403, 404, 409, 503] },
    };

    [Fact]
    public async Task DocumentListsEveryMappedJsonRoute()
    {
        var document = await ReadDocumentAsync();
        var mapped = Fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(method => $"{method} {RouteConstraint().Replace(endpoint.RoutePattern.RawText!.TrimEnd('/'), "}")}"))
            .Order(StringComparer.Ordinal).ToList();

        var documented = Operations(document).Select(operation => $"{operation.Method} {operation.Path}").Order(StringComparer.Ordinal).ToList();
        var contract = Routes.Select(row => $"{row.Data.Item1} {row.Data.Item2}").Order(StringComparer.Ordinal).ToList();

        Assert.Equal(mapped, documented);
        Assert.Equal(mapped, contract);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task DocumentGivesEachRouteItsStatusCodes(string method, string path, int[] statusCodes)
    {
        var document = await ReadDocumentAsync();

        var operation = Assert.Single(Operations(document), operation => operation.Method == method && operation.Path == path);

        Assert.Equal(statusCodes.Order(), operation.StatusCodes.Order());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AnswersToWrongCallsAreDocumented(string method, string path, int[] statusCodes)
    {
        // Note: no token, and a body that is not JSON, then one that is empty JSON: whatever the server answers is in the document.
        var address = path.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{clientId}", "no-such-client", StringComparison.Ordinal);
        var bodies = new HttpContent?[] { null, new StringContent("username=x", Encoding.UTF8, "application/x-www-form-urlencoded"), JsonContent.Create(new { }) };
        foreach (var body in bodies)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = body };
            using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Contains((int)response.StatusCode, statusCodes);
        }
    }

    [Fact]
    public async Task ReferencePageRunsOnlyItsOwnScriptsInDevelopment()
    {
        using var response = await Client.GetAsync("/scalar/v1", TestContext.Current.CancellationToken);
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "script-src 'self' 'nonce-([^']+)';").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(page, "<script "));
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(page, $"<script [^>]*nonce=\"{System.Text.RegularExpressions.Regex.Escape(nonce)}\""));
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferencePageIsAbsentInProduction()
    {
        // Note: a database of its own, because outside Development the stored clients are made to match this host's.
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IdentityHost"] = await Fixture.CreateDatabaseAsync(),
            ["OpenIddict:RequireHttps"] = "false",
            ["OpenIddict:Issuer"] = IdentityServerFixture.Authority.ToString(),
            ["OpenIddict:Clients:0:ClientId"] = IdentityServerFixture.ClientId,
            ["OpenIddict:Clients:0:GrantTypes:0"] = "password",
            ["OpenIddict:Clients:0:Scopes:0"] = "api",
        }, environment: "Production");
        using var client = host.CreateClient();

        using var page = await client.GetAsync("/scalar/v1", TestContext.Current.CancellationToken);
        using var document = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    /// <summary>A route parameter's constraint (<c>{id:long}</c>), which the document leaves out.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(":[a-z]+}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    private async Task<JsonElement> ReadDocumentAsync()
    {
        using var response = await Client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private static IEnumerable<(string Method, string Path, int[] StatusCodes)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(operation => operation.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(operation => (operation.Name.ToUpperInvariant(), path.Name,
                operation.Value.GetProperty("responses").EnumerateObject().Select(code => int.Parse(code.Name, System.Globalization.CultureInfo.InvariantCulture)).ToArray())));
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteApiDocumentationTests(SqliteServerFixture fixture)
    : ApiDocumentationTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlApiDocumentationTests(MySqlServerFixture fixture)
    : ApiDocumentationTests(fixture), IClassFixture<MySqlServerFixture>;
