using System.Net;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Api;

/// <summary>
/// The administration APIs need the <c>admin</c> role and the <c>admin</c> scope; the scope reaches only administrators,
/// through clients configured for it.
/// </summary>
public abstract class AdminScopeTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task AdministrationFailsGivenAnAdministratorTokenWithoutTheAdminScope()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = new JsonWebToken((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken).Subject;
        var plain = await IdentityServerFixture.RequestPasswordTokenAsync(Client, Fixture.AdminUserName, Fixture.AdminPassword);
        var scoped = await IdentityServerFixture.RequestPasswordTokenAsync(
            Client, Fixture.AdminUserName, Fixture.AdminPassword, IdentityServerFixture.AdminScopes);

        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Get, $"/api/users/{userId}", plain.AccessToken!));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, $"/api/users/{userId}/disable", plain.AccessToken!));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, $"/api/users/{userId}", scoped.AccessToken!));
        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(HttpMethod.Post, $"/api/users/{userId}/disable", scoped.AccessToken!));
    }

    [Fact]
    public async Task AdminScopeIsLeftOutOfTokensOfUsersWithoutTheAdminRole()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, IdentityServerFixture.AdminScopes);

        Assert.False(tokens.IsError, tokens.Raw);
        Assert.Equal(IdentityServerFixture.AllScopes.Split(' ').Order(), tokens.Scope!.Split(' ').Order());
        Assert.DoesNotContain("admin", new JsonWebToken(tokens.AccessToken).GetClaim("scope").Value.Split(' '));
        var administrator = await IdentityServerFixture.RequestPasswordTokenAsync(
            Client, Fixture.AdminUserName, Fixture.AdminPassword, IdentityServerFixture.AdminScopes);
        Assert.Contains("admin", new JsonWebToken(administrator.AccessToken).GetClaim("scope").Value.Split(' '));
    }

    [Fact]
    public async Task AdminScopeIsRefusedToClientsNotConfiguredForIt()
    {
        var tokens = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = "/connect/token",
            ClientId = IdentityServerFixture.LimitedClientId,
            UserName = Fixture.AdminUserName,
            Password = Fixture.AdminPassword,
            Scope = "openid api admin",
        }, TestContext.Current.CancellationToken);

        Assert.Equal("invalid_scope", tokens.Error);
    }

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.SetBearerToken(token);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAdminScopeTests(SqliteServerFixture fixture) : AdminScopeTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlAdminScopeTests(MySqlServerFixture fixture) : AdminScopeTests(fixture), IClassFixture<MySqlServerFixture>;
