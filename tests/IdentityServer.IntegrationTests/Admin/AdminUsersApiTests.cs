using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Users;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Admin;

/// <summary>
/// The administrators' part of <c>/api/users</c> added for the console: search with a cursor, create with a set-password
/// link, the sessions of a user, and the refusals (own account, bad paging).
/// </summary>
public abstract class AdminUsersApiTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task SearchListsNameMatchesThenAddressMatchesPageByPage()
    {
        var tag = "zq" + Guid.NewGuid().ToString("N")[..8];
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await IdentityServerFixture.CreateUserWithEmailAsync(Client);
            await CreateAsync(tag + suffix, IdentityServerFixture.NewEmail());
        }

        var byAddress = await CreateAsync(IdentityServerFixture.NewUserName(), tag + "-mail@mail.test.example");
        var token = await AdminTokenAsync();

        var first = await SearchAsync(token, $"?search={tag.ToUpperInvariant()}&pageSize=2");
        var second = await SearchAsync(token, $"?search={tag}&pageSize=2&cursor={first.GetProperty("next").GetString()}");

        Assert.Equal([tag + "a", tag + "b"], Names(first));
        Assert.Equal([tag + "c", byAddress.GetProperty("username").GetString()!], Names(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var row = second.GetProperty("users")[1];
        Assert.Equal("active", row.GetProperty("state").GetString());
        Assert.Equal(["user"], row.GetProperty("roles").EnumerateArray().Select(role => role.GetString()!).ToArray());
        Assert.False(row.GetProperty("emailVerified").GetBoolean());
        Assert.DoesNotContain("passwordHash", second.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("!")]
    [InlineData("\\")]
    public async Task SearchTakesWildcardsAsText(string search)
    {
        await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await AdminTokenAsync();

        var page = await SearchAsync(token, "?search=" + Uri.EscapeDataString(search));

        Assert.Equal(0, page.GetProperty("users").GetArrayLength());
    }

    [Theory]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=101", "pageSize")]
    [InlineData("?pageSize=many", "pageSize")]
    [InlineData("?pageSize=9999999999999", "pageSize")]
    [InlineData("?pageSize=1&pageSize=2", "pageSize")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    public async Task SearchRefusesBadPagingWithAProblem(string query, string field)
    {
        var token = await AdminTokenAsync();

        using var response = await GetAsync("/api/users" + query, token);

        Assert.Equal([field], Problem.ErrorFields(await Problem.ReadAsync(response, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task SearchRefusesACursorOfAnotherSearch()
    {
        var token = await AdminTokenAsync();
        await CreateAsync("zz" + Guid.NewGuid().ToString("N")[..8], IdentityServerFixture.NewEmail());
        await CreateAsync("zz" + Guid.NewGuid().ToString("N")[..8], IdentityServerFixture.NewEmail());
        var page = await SearchAsync(token, "?search=zz&pageSize=1");

        using var other = await GetAsync($"/api/users?search=zy&cursor={page.GetProperty("next").GetString()}", token);

        Assert.Equal(["cursor"], Problem.ErrorFields(await Problem.ReadAsync(other, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task CreatedUserGetsALinkToSetTheirPasswordAndNoOneElseKnowsIt()
    {
        var (name, address) = (IdentityServerFixture.NewUserName(), IdentityServerFixture.NewEmail());
        var token = await AdminTokenAsync();

        using var created = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = name, email = address, roles = UserAndAdmin }, token);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var mail = await Fixture.Mail.LastToAsync(address);
        using var set = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password/reset",
            new { token = SmtpCatcher.TokenIn(mail, RouteNames.ResetPasswordPage), newPassword = "the pass phrase I chose myself" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/users/{body.GetProperty("id").GetString()}", created.Headers.Location?.OriginalString);
        Assert.Equal(["admin", "user"], body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, name, "the pass phrase I chose myself")).IsError);
        var adminId = await AdminIdAsync();
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("user.created", StringComparison.Ordinal) &&
                                                        line.Contains("by administrator " + adminId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateRefusesATakenNameAndAMissingAddress()
    {
        var existing = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await AdminTokenAsync();

        using var taken = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = existing.UserName.ToUpperInvariant(), email = IdentityServerFixture.NewEmail() }, token);
        using var addressTaken = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = IdentityServerFixture.NewUserName(), email = existing.Email }, token);
        using var noAddress = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = IdentityServerFixture.NewUserName() }, token);
        using var badRole = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = IdentityServerFixture.NewUserName(), email = IdentityServerFixture.NewEmail(), roles = UnknownRole }, token);

        await Problem.ReadAsync(taken, HttpStatusCode.Conflict);
        await Problem.ReadAsync(addressTaken, HttpStatusCode.Conflict);
        Assert.Equal(["email"], Problem.ErrorFields(await Problem.ReadAsync(noAddress, HttpStatusCode.BadRequest)));
        Assert.Equal(["roles"], Problem.ErrorFields(await Problem.ReadAsync(badRole, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task EndingTheSessionsOfAUserEndsTheirRefreshTokens()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);
        var token = await AdminTokenAsync();

        var before = await (await GetAsync($"/api/users/{user.Id}/sessions", token)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var ended = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, $"/api/users/{user.Id}/sessions", null, token);
        var after = await (await GetAsync($"/api/users/{user.Id}/sessions", token)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var missing = await GetAsync($"/api/users/{Guid.NewGuid()}/sessions", token);

        Assert.Equal(1, before.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal(0, after.GetArrayLength());
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, login.RefreshToken!)).Error);
        await Problem.ReadAsync(missing, HttpStatusCode.NotFound);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("user.sessions_ended", StringComparison.Ordinal) &&
                                                        line.Contains(user.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdministratorsCannotDisableOrDeleteThemselves()
    {
        var token = await AdminTokenAsync();
        var adminId = await AdminIdAsync();

        using var disabled = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{adminId}/disable", null, token);
        using var deleted = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, $"/api/users/{adminId}", null, token);

        await Problem.ReadAsync(disabled, HttpStatusCode.Conflict);
        await Problem.ReadAsync(deleted, HttpStatusCode.Conflict);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, Fixture.AdminUserName, Fixture.AdminPassword)).IsError);
    }

    [Fact]
    public async Task DisablingShowsInTheStateAndIsAuditedWithTheAdministrator()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await AdminTokenAsync();

        using var disabled = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{user.Id}/disable", null, token);
        var page = await SearchAsync(token, $"?search={user.UserName}");

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal("disabled", page.GetProperty("users")[0].GetProperty("state").GetString());
        var adminId = await AdminIdAsync();
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("user.disabled", StringComparison.Ordinal) &&
                                                        line.Contains(user.Id, StringComparison.Ordinal) &&
                                                        line.Contains("by administrator " + adminId, StringComparison.Ordinal));
    }

    /// <summary>
    /// The SQLite plans of the search. Note: SQLite plans the same with ten rows as with a million (no statistics), so its
    /// plan is checked by a test (in <see cref="SqliteAdminUsersApiTests"/> only); MariaDB's depends on the table's size and
    /// is shown at 1,000,000 users in docs/admin.md.
    /// </summary>
    protected async Task AssertSearchReadsIndexRangesAsync()
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();

        var byName = await PlanAsync(database, directory.ByName("BENCH00012", "BENCH0001234").Take(26).ToQueryString());
        var byEmail = await PlanAsync(database, directory.ByEmail("USER00012", "USER0001234@BENCH.EXAMPLE", "x").Take(26).ToQueryString());

        Assert.Contains("SEARCH a USING INDEX UserNameIndex (NormalizedUserName>? AND NormalizedUserName<?)", byName, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", byName, StringComparison.Ordinal);
        Assert.Contains("SEARCH a USING INDEX EmailIndex (NormalizedEmail>? AND NormalizedEmail<?)", byEmail, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN a", byName + byEmail, StringComparison.Ordinal);
    }

    private static async Task<string> PlanAsync(IdentityHostDbContext database, string query)
    {
        var connection = database.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        // Note: ToQueryString writes the parameters as declarations first; the plan is of the statement after them.
        var lines = query.Split('\n');
        foreach (var declaration in lines.TakeWhile(line => line.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = declaration[".param set ".Length..].Split(' ', 2);
            var parameter = command.CreateParameter();
            parameter.ParameterName = parts[0];
            parameter.Value = parts[1].Trim().Trim('\'');
            command.Parameters.Add(parameter);
        }

        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n', lines.SkipWhile(line => line.StartsWith(".param set ", StringComparison.Ordinal)));
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            plan.Add(reader.GetString(3));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(query + "\n" + string.Join('\n', plan));
        return string.Join('\n', plan);
    }

    private async Task<JsonElement> CreateAsync(string userName, string email)
    {
        using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new { username = userName, email }, await AdminTokenAsync());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<JsonElement> SearchAsync(string token, string query)
    {
        using var response = await GetAsync("/api/users" + query, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static readonly string[] UserAndAdmin = ["user", "ADMIN"];

    private static readonly string[] UnknownRole = ["root"];

    private string? _adminToken;

    private async Task<string> AdminTokenAsync() => _adminToken ??= await Fixture.GetAccessTokenAsync(Client, admin: true);

    private async Task<string> AdminIdAsync() => new JsonWebToken(await AdminTokenAsync()).Subject;

    private static string[] Names(JsonElement page) =>
        [.. page.GetProperty("users").EnumerateArray().Select(user => user.GetProperty("username").GetString()!)];
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAdminUsersApiTests(SqliteServerFixture fixture)
    : AdminUsersApiTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public Task SearchQueriesReadARangeOfTheNameAndAddressIndexes() => AssertSearchReadsIndexRangesAsync();
}

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlAdminUsersApiTests(MySqlServerFixture fixture)
    : AdminUsersApiTests(fixture), IClassFixture<MySqlServerFixture>;
