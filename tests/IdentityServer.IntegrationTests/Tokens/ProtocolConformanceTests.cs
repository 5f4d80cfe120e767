using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary>
/// Edges of the token, revocation, introspection, userinfo and discovery endpoints where strict third-party clients
/// (openid-client, oauth4webapi, jose) expect exactly what the RFCs say.
/// </summary>
public abstract class ProtocolConformanceTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly Uri TokenEndpoint = new(IdentityServerFixture.Authority, "connect/token");

    [Fact]
    public async Task RevokingARefreshTokenDeactivatesTheAccessTokensOfItsGrant()
    {
        var tokens = await LoginAsync();
        var before = await IntrospectAsync(tokens.AccessToken!);

        var revocation = await IdentityServerFixture.RevokeAsync(Client, tokens.RefreshToken!);
        var after = await IntrospectAsync(tokens.AccessToken!);

        // Note: RFC 7009 section 2.1: revoking a refresh token should also invalidate the access tokens of the same grant.
        Assert.False(revocation.IsError, revocation.Raw);
        Assert.True(before.IsActive);
        Assert.False(after.IsActive);
    }

    [Fact]
    public async Task RevokingOneLoginsRefreshTokenLeavesTheUsersOtherLoginsAlone()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var first = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var second = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        await IdentityServerFixture.RevokeAsync(Client, first.RefreshToken!);

        Assert.False((await IntrospectAsync(first.AccessToken!)).IsActive);
        Assert.True((await IntrospectAsync(second.AccessToken!)).IsActive);
        Assert.False((await IdentityServerFixture.RefreshAsync(Client, second.RefreshToken!)).IsError);
    }

    [Fact]
    public async Task RevokingAUsersAccessTokenEndsItsLoginAndNoOther()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var first = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var second = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        var revocation = await RevokeAccessTokenAsync(first.AccessToken!);

        // Note: the access token has no row of its own; it is revoked through its login's authorization, which also
        // ends that login's refresh token (RFC 7009 section 2.1 allows it).
        Assert.False(revocation.IsError, revocation.Raw);
        Assert.False((await IntrospectAsync(first.AccessToken!)).IsActive);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!)).Error);
        Assert.True((await IntrospectAsync(second.AccessToken!)).IsActive);
        Assert.False((await IdentityServerFixture.RefreshAsync(Client, second.RefreshToken!)).IsError);
    }

    [Fact]
    public async Task RevokingAnAccessTokenIssuedWithoutARefreshTokenDeactivatesIt()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, "openid api");
        Assert.Null(tokens.RefreshToken);
        var before = await IntrospectAsync(tokens.AccessToken!);

        var revocation = await RevokeAccessTokenAsync(tokens.AccessToken!);

        Assert.True(before.IsActive);
        Assert.False(revocation.IsError, revocation.Raw);
        Assert.False((await IntrospectAsync(tokens.AccessToken!)).IsActive);
    }

    [Fact]
    public async Task AReusedRefreshTokenDeactivatesTheAccessTokensOfItsLogin()
    {
        var first = await LoginAsync();
        var second = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);
        Assert.False(second.IsError, second.Raw);
        var before = await IntrospectAsync(second.AccessToken!);

        // Note: the fixture's reuse leeway is one second.
        Fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var replay = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);

        Assert.True(before.IsActive);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.False((await IntrospectAsync(first.AccessToken!)).IsActive);
        Assert.False((await IntrospectAsync(second.AccessToken!)).IsActive);
    }

    [Theory]
    [InlineData("openid profile", null)]
    [InlineData("openid api", "resource_api")]
    public async Task EveryAccessTokenHasAnAudience(string scope, string? audience)
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, scope);

        // Note: RFC 9068 section 2.2: aud is required; a token for no API is for this server (its userinfo and own APIs).
        var token = new JsonWebToken(tokens.AccessToken);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal([audience ?? IdentityServerFixture.Authority.AbsoluteUri], token.Audiences);
    }

    [Fact]
    public async Task UserInfoAnswersAPostThatCarriesOnlyTheAuthorizationHeader()
    {
        var tokens = await LoginAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/userinfo");
        request.SetBearerToken(tokens.AccessToken!);

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        // Note: OpenID Connect Core section 5.3.1: userinfo must support POST; a bearer token in the header needs no body.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new JsonWebToken(tokens.AccessToken).Subject, body.RootElement.GetProperty("sub").GetString());
    }

    [Theory]
    [InlineData("GET", "not-a-token")]
    [InlineData("POST", "not-a-token")]
    [InlineData("GET", null)]
    public async Task UserInfoRefusesABadTokenWithABearerChallengeAndNoProblemDetails(string method, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/connect/userinfo");
        if (token is not null)
        {
            request.SetBearerToken(token);
        }

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        // Note: RFC 6750 section 3: the error is in the WWW-Authenticate header; no problem+json body contradicts it.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        if (token is not null)
        {
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("scope")]
    [InlineData("grant_type")]
    [InlineData("username")]
    public async Task TokenEndpointRefusesARepeatedParameterNamingIt(string repeated)
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "password"), new("client_id", IdentityServerFixture.ClientId), new("username", userName),
            new("password", password), new("scope", "openid"),
        };
        fields.Add(new(repeated, fields.First(field => field.Key == repeated).Value));

        using var response = await Client.PostAsync(TokenEndpoint, new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
        var error = await OAuthErrorAsync(response);

        // Note: RFC 6749 section 3.2: request parameters must not be included more than once.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", error.Error);
        Assert.Equal($"The '{repeated}' parameter must not be included more than once.", error.Description);
    }

    [Fact]
    public async Task ConfidentialClientSendingNoCredentialsGetsInvalidClient()
    {
        using var response = await Client.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = IdentityServerFixture.MachineClientId,
            ["scope"] = "api",
        }), TestContext.Current.CancellationToken);
        using var anonymous = await Client.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "api",
        }), TestContext.Current.CancellationToken);

        // Note: RFC 6749 section 5.2: no client authentication included is invalid_client, with 401.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await OAuthErrorAsync(response)).Error);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("invalid_client", (await OAuthErrorAsync(anonymous)).Error);
    }

    [Fact]
    public async Task DiscoveryListsTheClaimsTheServerIssuesAndTheClientAssertionAlgorithms()
    {
        using var discovery = JsonDocument.Parse(await Client.GetStringAsync(
            new Uri("/.well-known/openid-configuration", UriKind.Relative), TestContext.Current.CancellationToken));
        var root = discovery.RootElement;

        string[] claims = [.. root.GetProperty("claims_supported").EnumerateArray().Select(claim => claim.GetString()!)];
        foreach (var claim in new[] { "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "role" })
        {
            Assert.Contains(claim, claims);
        }

        // Note: RFC 8414 section 2: private_key_jwt is advertised, so the signing algorithms must be too.
        Assert.Contains("private_key_jwt", root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(method => method.GetString()));
        Assert.Contains("RS256", root.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(alg => alg.GetString()));
        Assert.Contains("ES256", root.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(alg => alg.GetString()));
        Assert.DoesNotContain("none", root.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(alg => alg.GetString()));
    }

    private async Task<TokenResponse> LoginAsync()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        Assert.False(tokens.IsError, tokens.Raw);
        return tokens;
    }

    private Task<TokenRevocationResponse> RevokeAccessTokenAsync(string token) =>
        Client.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/revoke").ToString(),
            ClientId = IdentityServerFixture.ClientId,
            Token = token,
            TokenTypeHint = "access_token",
        }, TestContext.Current.CancellationToken);

    private Task<TokenIntrospectionResponse> IntrospectAsync(string token) =>
        Client.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/introspect").ToString(),
            ClientId = IdentityServerFixture.ResourceClientId,
            ClientSecret = Fixture.ResourceClientSecret,
            Token = token,
        }, TestContext.Current.CancellationToken);

    private static async Task<(string? Error, string? Description)> OAuthErrorAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (body.RootElement.GetProperty("error").GetString(),
            body.RootElement.TryGetProperty("error_description", out var description) ? description.GetString() : null);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteProtocolConformanceTests(SqliteServerFixture fixture)
    : ProtocolConformanceTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlProtocolConformanceTests(MySqlServerFixture fixture)
    : ProtocolConformanceTests(fixture), IClassFixture<MySqlServerFixture>;
