using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Greetings;

/// <summary>The resource API's OpenAPI document lists each of its routes with the status codes it answers.</summary>
public abstract class ApiDocumentationTests : IDisposable
{
    private readonly HttpClient _api;

    protected ApiDocumentationTests(ResourceApiFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Assert.SkipWhen(fixture.Identity.SkipReason is not null, fixture.Identity.SkipReason ?? string.Empty);
        _api = fixture.Api.CreateClient();
    }

    [Fact]
    public async Task DocumentListsEveryRouteWithItsStatusCodes()
    {
        using var response = await _api.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation =>
                $"{operation.Name.ToUpperInvariant()} {path.Name} " +
                string.Join(',', operation.Value.GetProperty("responses").EnumerateObject().Select(code => code.Name).Order(StringComparer.Ordinal))))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
        [
            "GET /api/admin 200,401,403",
            "GET /api/machine 200,401,403",
            "GET /api/mfa 200,401,403",
            "GET /api/protected 200,401,403",
            "GET /api/public 200",
        ], operations);
    }

    public void Dispose()
    {
        _api.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The tests above, with the identity server on SQLite.</summary>
public sealed class SqliteApiDocumentationTests(SqliteResourceApiFixture fixture)
    : ApiDocumentationTests(fixture), IClassFixture<SqliteResourceApiFixture>;
