using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary><c>POST /api/auth/login</c>: the seed project's JSON login, answered by the token endpoint.</summary>
public abstract class SeedLoginTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task SeedLoginReturnsTheTokenResponse()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        using var response = await Client.PostAsJsonAsync(
            "/api/auth/login", new { username = userName, password }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() > 0);
        Assert.True(body.TryGetProperty("refresh_token", out _));
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(userName, token.GetClaim("name").Value);
        Assert.Equal(IdentityServerFixture.ClientId, token.GetClaim("client_id").Value);
        Assert.Equal(["resource_api"], token.Audiences);
    }

    [Fact]
    public async Task SeedLoginReturns401ProblemAlikeGivenWrongPasswordOrUnknownUser()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        using var wrong = await Client.PostAsJsonAsync(
            "/api/auth/login", new { username = userName, password = password + "x" }, TestContext.Current.CancellationToken);
        using var unknown = await Client.PostAsJsonAsync(
            "/api/auth/login", new { username = IdentityServerFixture.NewUserName(), password }, TestContext.Current.CancellationToken);

        var wrongProblem = await Problem.ReadAsync(wrong, HttpStatusCode.Unauthorized);
        var unknownProblem = await Problem.ReadAsync(unknown, HttpStatusCode.Unauthorized);
        Assert.Equal(wrongProblem.GetProperty("detail").GetString(), unknownProblem.GetProperty("detail").GetString());
        Assert.Equal(wrongProblem.GetProperty("title").GetString(), unknownProblem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"password":"correct horse battery staple"}""")]
    [InlineData("""{"username":["x"],"password":"correct horse battery staple"}""")]
    public async Task SeedLoginReturns400GivenBadJson(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync("/api/auth/login", content, TestContext.Current.CancellationToken);

        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"username":"someone\uFFFE","password":"correct horse battery staple"}""")]
    [InlineData("""{"username":"someone","password":"correct horse battery staple\uFFFE"}""")]
    public async Task SeedLoginReturns401GivenTextThatCannotBeNormalized(string json)
    {
        // Note: regression: U+FFFE made string.Normalize throw, a 500; the fuzz tests found it.
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync("/api/auth/login", content, TestContext.Current.CancellationToken);

        await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SeedLoginReturns415GivenFormBody()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "a", ["password"] = "b" });

        using var response = await Client.PostAsync("/api/auth/login", content, TestContext.Current.CancellationToken);

        await Problem.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteSeedLoginTests(SqliteServerFixture fixture)
    : SeedLoginTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlSeedLoginTests(MySqlServerFixture fixture)
    : SeedLoginTests(fixture), IClassFixture<MySqlServerFixture>;
