using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Fuzzing;

/// <summary>
/// Property-based fuzzing (CsCheck) of registration, the seed login and the token endpoint: whatever arrives, the
/// answer is a 4xx in the documented shape (problem details on /api, the OAuth error format on /connect), never a
/// 5xx, and the user table changes only by the registrations answered 201.
/// </summary>
public abstract class FuzzTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private const int Iterations = 250;

    [Fact]
    public async Task RegistrationAnswersEveryInputWithA4xxProblemOrA201()
    {
        var body = Gen.Frequency(
            (6, FuzzInputs.JsonObject("username", "password", "role")),
            (1, FuzzInputs.Garbage));
        var created = 0;
        var before = await CountUsersAsync();

        await Gen.Select(body, FuzzInputs.ContentType).SampleAsync(async (json, contentType) =>
        {
            using var response = await PostAsync("/api/auth/register", json, contentType);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Interlocked.Increment(ref created);
                return;
            }

            await AssertProblemAsync(response);
        }, iter: Iterations, threads: 2);

        Assert.Equal(before + created, await CountUsersAsync());
    }

    [Fact]
    public async Task SeedLoginAnswersEveryInputWithA4xxProblem()
    {
        var body = Gen.Frequency((6, FuzzInputs.JsonObject("username", "password")), (1, FuzzInputs.Garbage));
        var before = await UserTableAsync();

        await Gen.Select(body, FuzzInputs.ContentType).SampleAsync(async (json, contentType) =>
        {
            using var response = await PostAsync("/api/auth/login", json, contentType);
            await AssertProblemAsync(response);
        }, iter: Iterations, threads: 2);

        Assert.Equal(before, await UserTableAsync());
    }

    [Fact]
    public async Task TokenEndpointAnswersEveryInputWithA4xxOAuthError()
    {
        var grant = Gen.OneOf("password", "refresh_token", "authorization_code", "client_credentials", "urn:x", "");
        var form = Gen.Frequency(
            (4, Gen.Select(grant, FuzzInputs.Form("client_id", "username", "password", "scope", "refresh_token", "code",
                "client_secret", "grant_type")).Select(pair => "grant_type=" + pair.Item1 + "&client_id=postman&" + pair.Item2)),
            (2, FuzzInputs.Form("grant_type", "client_id", "username", "password", "scope")),
            (1, FuzzInputs.Garbage));
        var contentType = Gen.Frequency(
            (4, Gen.Const<string?>("application/x-www-form-urlencoded")), (1, FuzzInputs.ContentType));
        var before = await UserTableAsync();

        await Gen.Select(form, contentType).SampleAsync(async (text, type) =>
        {
            using var response = await PostAsync("/connect/token", text, type);
            var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {raw}");
            using var json = JsonDocument.Parse(raw);
            Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("error").ValueKind);
            Assert.DoesNotContain("   at ", raw, StringComparison.Ordinal);
        }, iter: Iterations, threads: 2);

        Assert.Equal(before, await UserTableAsync());
    }

    // Note: the two cases below are what the properties first found (each was a 500).
    [Fact]
    public async Task TokenEndpointAnswers400InTheOAuthFormatGivenAFormWithANulCharacter()
    {
        using var response = await PostAsync("/connect/token", "grant_type=password&client_id=postman&username=%00",
            "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_request", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task RegistrationAnswers415GivenAFormWithAnOverlongKey()
    {
        using var response = await PostAsync("/api/auth/register", new string('k', 3000), "application/x-www-form-urlencoded");

        await AssertProblemAsync(response);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return await Client.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response)
    {
        var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{status}: {raw}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(raw);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("title").ValueKind);
        Assert.DoesNotContain("   at ", raw, StringComparison.Ordinal);
    }

    /// <summary>Every user row as text, so a changed count, name, hash, stamp or counter shows.</summary>
    private async Task<string> UserTableAsync()
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Users.AsNoTracking()
            .OrderBy(user => user.Id)
            .Select(user => new { user.Id, user.UserName, user.PasswordHash, user.SecurityStamp, user.AccessFailedCount, user.LockoutEnd })
            .ToListAsync(TestContext.Current.CancellationToken);
        return JsonSerializer.Serialize(rows);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteFuzzTests(SqliteServerFixture fixture) : FuzzTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlFuzzTests(MySqlServerFixture fixture) : FuzzTests(fixture), IClassFixture<MySqlServerFixture>;
