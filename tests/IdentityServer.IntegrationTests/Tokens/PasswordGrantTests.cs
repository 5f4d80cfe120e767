using System.Net;
using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary><c>POST /connect/token</c>: the password and refresh_token grants, driven by Duende.IdentityModel.</summary>
public abstract class PasswordGrantTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task CanGetTokensWithPasswordGrant()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.False(response.IsError, response.Raw);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal(900, response.ExpiresIn, tolerance: 2);
        Assert.False(string.IsNullOrEmpty(response.IdentityToken));
        Assert.False(string.IsNullOrEmpty(response.RefreshToken));

        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal("RS256", token.Alg);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.False(string.IsNullOrEmpty(token.GetHeaderValue<string>("kid")));
        Assert.Equal(IdentityServerFixture.Authority.ToString(), token.Issuer);
        Assert.Equal(["resource_api"], token.Audiences);
        Assert.Equal(IdentityServerFixture.ClientId, token.GetClaim("client_id").Value);
        Assert.Equal(userName, token.GetClaim("name").Value);
        Assert.Equal(["user"], token.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
        Assert.False(string.IsNullOrEmpty(token.Subject));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(TimeSpan.FromMinutes(15), token.ValidTo - token.IssuedAt);
        Assert.InRange(token.IssuedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task AccessTokenHasNoApiAudienceWithoutApiScope()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, "openid profile roles");

        Assert.False(response.IsError, response.Raw);
        Assert.DoesNotContain("resource_api", new JsonWebToken(response.AccessToken).Audiences);
        Assert.True(string.IsNullOrEmpty(response.RefreshToken));
    }

    [Fact]
    public async Task AdminTokenCarriesAdminRole()
    {
        var response = await IdentityServerFixture.RequestPasswordTokenAsync(Client, Fixture.AdminUserName, Fixture.AdminPassword);

        Assert.False(response.IsError, response.Raw);
        var token = new JsonWebToken(response.AccessToken);
        Assert.Contains("admin", token.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
    }

    [Fact]
    public async Task LoginFailsAlikeGivenWrongPasswordUnknownUserOrEmptyPassword()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var wrong = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x");
        var unknown = await IdentityServerFixture.RequestPasswordTokenAsync(Client, IdentityServerFixture.NewUserName(), password);
        var empty = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, string.Empty);

        foreach (var response in new[] { wrong, unknown, empty })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
            Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, response.Error);
            Assert.Equal("The username or password is incorrect.", response.ErrorDescription);
        }

        Assert.Equal(Canonical(wrong.Raw!), Canonical(unknown.Raw!));
        Assert.Equal(Canonical(wrong.Raw!), Canonical(empty.Raw!));
    }

    [Fact]
    public async Task LoginFailsAlikeGivenTextThatCannotBeNormalized()
    {
        // Note: regression: U+FFFE in the name or password made string.Normalize throw, a 500; the fuzz tests found it.
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var wrong = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x");
        var badPassword = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "\uFFFE");
        var badName = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName + "\uFFFE", password);

        foreach (var response in new[] { badPassword, badName })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
            Assert.Equal(Canonical(wrong.Raw!), Canonical(response.Raw!));
        }
    }

    [Fact]
    public async Task LoginSucceedsGivenUserNameInAnotherCase()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName.ToUpperInvariant(), password);

        Assert.False(response.IsError, response.Raw);
    }

    [Fact]
    public async Task TokenRequestFailsGivenUnknownClient()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = "no-such-client",
            UserName = userName,
            Password = password,
        }, TestContext.Current.CancellationToken);

        // Note: RFC 6749 section 5.2 lets the server answer an unknown client with 401; the body is still OAuth's.
        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidClient, JsonDocument.Parse(response.Raw!).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TokenRequestFailsGivenUnknownScope()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, "openid payroll");

        Assert.Equal(OidcConstants.TokenErrors.InvalidScope, response.Error);
    }

    [Fact]
    public async Task CanRefreshTokens()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var first = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        var refreshed = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);

        Assert.False(refreshed.IsError, refreshed.Raw);
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        var token = new JsonWebToken(refreshed.AccessToken);
        Assert.Equal(userName, token.GetClaim("name").Value);
        Assert.Equal(new JsonWebToken(first.AccessToken).Subject, token.Subject);
        Assert.Equal(["resource_api"], token.Audiences);
    }

    [Fact]
    public async Task RefreshFailsGivenGarbageToken()
    {
        var response = await IdentityServerFixture.RefreshAsync(Client, "not-a-refresh-token");

        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, response.Error);
    }

    [Fact]
    public async Task ParallelLoginsAllSucceed()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)));

        Assert.All(responses, response => Assert.False(response.IsError, response.Raw));
    }

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqlitePasswordGrantTests(SqliteServerFixture fixture)
    : PasswordGrantTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlPasswordGrantTests(MySqlServerFixture fixture)
    : PasswordGrantTests(fixture), IClassFixture<MySqlServerFixture>;
