using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary><c>PUT /api/users/{id}/roles</c>: an administrator sets a user's roles; new tokens carry them.</summary>
public abstract class RoleManagementTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task AdministratorCanPromoteAndDemoteUser()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName, password);
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var promoted = await SetRolesAsync(admin, userId, ["user", "ADMIN"]);
        var promotedToken = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        using var demoted = await SetRolesAsync(admin, userId, ["user"]);
        var demotedToken = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        var body = await promoted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["admin", "user"], body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()).Order());
        Assert.Contains("admin", RolesOf(promotedToken.AccessToken!));
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Equal(["user"], RolesOf(demotedToken.AccessToken!));
    }

    [Fact]
    public async Task RefreshedAccessTokenCarriesTheRolesSetSinceTheLogin()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var userId = new JsonWebToken(login.AccessToken).Subject;
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var promoted = await SetRolesAsync(admin, userId, ["user", "admin"]);
        var afterPromotion = await IdentityServerFixture.RefreshAsync(Client, login.RefreshToken!);
        using var demoted = await SetRolesAsync(admin, userId, ["user"]);
        var afterDemotion = await IdentityServerFixture.RefreshAsync(Client, afterPromotion.RefreshToken!);

        Assert.Equal(["user"], RolesOf(login.AccessToken!));
        Assert.False(afterPromotion.IsError, afterPromotion.Error);
        Assert.Equal(["admin", "user"], RolesOf(afterPromotion.AccessToken!));
        Assert.False(afterDemotion.IsError, afterDemotion.Error);
        Assert.Equal(["user"], RolesOf(afterDemotion.AccessToken!));
    }

    [Theory]
    [InlineData("""{"roles":["superuser"]}""")]
    [InlineData("""{"roles":[]}""")]
    [InlineData("""{"roles":[null]}""")]
    [InlineData("""{"roles":"admin"}""")]
    [InlineData("""{}""")]
    [InlineData("""not json""")]
    public async Task SetRolesReturns400GivenBadRoles(string json)
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName, password);
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{userId}/roles")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.SetBearerToken(admin);

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["user"], RolesOf(token.AccessToken!));
    }

    [Fact]
    public async Task SetRolesReturns403GivenUserToken()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken!;

        using var response = await SetRolesAsync(token, new JsonWebToken(token).Subject, ["user", "admin"]);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AdministratorCannotRemoveTheirOwnAdminRole()
    {
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var response = await SetRolesAsync(admin, new JsonWebToken(admin).Subject, ["user"]);

        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("admin", RolesOf(await Fixture.GetAccessTokenAsync(Client, admin: true)));
    }

    [Fact]
    public async Task SetRolesReturns404GivenUnknownUser()
    {
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var response = await SetRolesAsync(admin, Guid.NewGuid().ToString(), ["user"]);

        await Problem.ReadAsync(response, HttpStatusCode.NotFound);
    }

    private async Task<HttpResponseMessage> SetRolesAsync(string accessToken, string userId, string[] roles)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{userId}/roles")
        {
            Content = JsonContent.Create(new { roles }),
        };
        request.SetBearerToken(accessToken);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<string> UserIdAsync(string userName, string password) =>
        new JsonWebToken((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken).Subject;

    private static List<string> RolesOf(string accessToken) =>
        [.. new JsonWebToken(accessToken).Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value).Order()];
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteRoleManagementTests(SqliteServerFixture fixture)
    : RoleManagementTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlRoleManagementTests(MySqlServerFixture fixture)
    : RoleManagementTests(fixture), IClassFixture<MySqlServerFixture>;
