using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

/// <summary>
/// RFC 9728: the API describes itself at <c>/.well-known/oauth-protected-resource</c>, and every 401 and 403 names that
/// document, so a client that meets the API first finds the authorization server to get a token from.
/// </summary>
public sealed class ProtectedResourceMetadataTests : IClassFixture<SqliteResourceApiFixture>, IDisposable
{
    private const string MetadataUrl = "http://localhost/.well-known/oauth-protected-resource";

    private readonly SqliteResourceApiFixture _fixture;
    private readonly HttpClient _api;

    public ProtectedResourceMetadataTests(SqliteResourceApiFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _fixture = fixture;
        _api = fixture.Api.CreateClient();
    }

    [Fact]
    public async Task MetadataNamesTheResourceItsAuthorizationServerScopeBearerMethodAndAlgorithms()
    {
        using var response = await _api.GetAsync("/.well-known/oauth-protected-resource", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var metadata = document.RootElement;
        Assert.Equal("http://localhost/", metadata.GetProperty("resource").GetString());
        Assert.Equal([IdentityServerFixture.Authority.ToString()], Strings(metadata, "authorization_servers"));
        Assert.Equal(["api"], Strings(metadata, "scopes_supported"));
        Assert.Equal(["header"], Strings(metadata, "bearer_methods_supported"));
        Assert.Equal(["RS256", "ES256"], Strings(metadata, "resource_signing_alg_values_supported"));
    }

    [Theory]
    [InlineData("/api/protected", null, HttpStatusCode.Unauthorized)]
    [InlineData("/api/protected", "not.a.token", HttpStatusCode.Unauthorized)]
    [InlineData("/api/admin", "user", HttpStatusCode.Forbidden)]
    [InlineData("/api/machine", "user", HttpStatusCode.Forbidden)]
    public async Task EveryChallengeNamesTheMetadataDocument(string path, string? token, HttpStatusCode status)
    {
        if (token == "user")
        {
            using var identity = _fixture.Identity.CreateClient();
            token = await _fixture.Identity.GetAccessTokenAsync(identity);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _api.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"resource_metadata=\"{MetadataUrl}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains(status == HttpStatusCode.Forbidden ? "error=\"insufficient_scope\"" : "error=\"invalid_token\"",
            challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredResourceIdentifierWithAPathIsServedAfterTheWellKnownName()
    {
        await using var api = new ResourceApiHost(IdentityServerFixture.Authority, _fixture.Identity.Host.Server.CreateHandler(),
            settings: new Dictionary<string, string?> { ["ResourceApi:ResourceIdentifier"] = "https://api.example/greetings" });
        using var client = api.CreateClient();

        using var document = await client.GetAsync("/.well-known/oauth-protected-resource/greetings", TestContext.Current.CancellationToken);
        using var elsewhere = await client.GetAsync("/.well-known/oauth-protected-resource", TestContext.Current.CancellationToken);
        using var challenge = await client.GetAsync("/api/protected", TestContext.Current.CancellationToken);

        using var metadata = JsonDocument.Parse(await document.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("https://api.example/greetings", metadata.RootElement.GetProperty("resource").GetString());
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Contains("resource_metadata=\"https://api.example/.well-known/oauth-protected-resource/greetings\"",
            challenge.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static List<string> Strings(JsonElement metadata, string name) =>
        [.. metadata.GetProperty(name).EnumerateArray().Select(entry => entry.GetString() ?? "(null)")];

    public void Dispose() => _api.Dispose();
}
