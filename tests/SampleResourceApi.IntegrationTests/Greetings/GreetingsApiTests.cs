using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Greetings;

/// <summary>The resource API's answers to real tokens from the identity server, and to bad ones.</summary>
public abstract class GreetingsApiTests : IDisposable
{
    private readonly ResourceApiFixture _fixture;
    private readonly HttpClient _identity;
    private readonly HttpClient _api;

    protected GreetingsApiTests(ResourceApiFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Assert.SkipWhen(fixture.Identity.SkipReason is not null, fixture.Identity.SkipReason ?? string.Empty);
        _fixture = fixture;
        _identity = fixture.Identity.CreateClient();
        _api = fixture.Api.CreateClient();
    }

    [Fact]
    public async Task PublicGreetsGuestWithoutToken()
    {
        using var response = await _api.GetAsync("/api/public", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Welcome, guest!", body.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("username").ValueKind);
        Assert.Empty(body.GetProperty("roles").EnumerateArray());
    }

    [Fact]
    public async Task ProtectedGreetsUserGivenValidToken()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(_identity);
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(_identity, userName, password)).AccessToken!;

        using var response = await GetAsync("/api/protected", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal($"Welcome, {userName}!", body.GetProperty("message").GetString());
        Assert.Equal(userName, body.GetProperty("username").GetString());
        Assert.Equal(["user"], body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
    }

    [Fact]
    public async Task ForgedTokenSignedWithTheServerKeyIsAccepted()
    {
        // Note: the baseline for the forged-token tests below: an honest forgery passes, so each of them
        // fails for the one property it changes.
        var forge = await ForgeAsync();

        using var response = await GetAsync("/api/protected", forge.Create());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Returns401GivenMissingToken()
    {
        using var response = await _api.GetAsync("/api/protected", TestContext.Current.CancellationToken);

        await AssertInvalidTokenAsync(response);
    }

    /// <summary>Enrols an authenticator for <paramref name="userName"/> with the server's own service, as its page would; returns the key.</summary>
    private async Task<string> EnrolAuthenticatorAsync(string userName)
    {
        await using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateAsyncScope(_fixture.Identity.Host.Services);
        var services = scope.ServiceProvider;
        var users = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<IdentityHost.IdentityServer.Entities.ApplicationUser>>(services);
        var factors = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<IdentityHost.IdentityServer.Mfa.SecondFactors>(services);
        var user = (await users.FindByNameAsync(userName))!;
        var setup = await factors.BeginTotpAsync(user, TestContext.Current.CancellationToken);
        var code = IdentityHost.IdentityServer.Mfa.Totp.Compute(setup.Key,
            IdentityHost.IdentityServer.Mfa.Totp.TimeStep(_fixture.Identity.Clock.GetUtcNow()));
        Assert.NotNull(await factors.ConfirmTotpAsync(user, code, TestContext.Current.CancellationToken));
        return setup.Key;
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.")]
    public async Task Returns401GivenMalformedToken(string token)
    {
        using var response = await GetAsync("/api/protected", token);

        await AssertInvalidTokenAsync(response);
    }

    [Fact]
    public async Task Returns401GivenTamperedToken()
    {
        var forge = await ForgeAsync();

        using var protectedResponse = await GetAsync("/api/protected", forge.Tampered());
        using var adminResponse = await GetAsync("/api/admin", forge.Tampered());

        await AssertInvalidTokenAsync(protectedResponse);
        await AssertInvalidTokenAsync(adminResponse);
    }

    [Fact]
    public async Task Returns401GivenUnsignedAlgNoneToken()
    {
        var forge = await ForgeAsync();

        using var response = await GetAsync("/api/protected", forge.WithAlgNone());

        await AssertInvalidTokenAsync(response);
    }

    [Fact]
    public async Task Returns401GivenExpiredToken()
    {
        var forge = await ForgeAsync();
        var expired = forge.Create(notBefore: DateTime.UtcNow.AddMinutes(-20), expires: DateTime.UtcNow.AddMinutes(-5));

        using var response = await GetAsync("/api/protected", expired);

        var problem = await AssertInvalidTokenAsync(response);
        Assert.Equal("The access token has expired.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Returns401GivenTokenOfAnotherIssuer()
    {
        var forge = await ForgeAsync();

        using var response = await GetAsync("/api/protected", forge.Create(issuer: "http://evil.example/"));

        await AssertInvalidTokenAsync(response);
    }

    [Theory]
    [InlineData("another_api")]
    [InlineData(null)]
    public async Task Returns401GivenTokenForAnotherAudience(string? audience)
    {
        var forge = await ForgeAsync();

        using var response = await GetAsync("/api/protected", forge.Create(audience: audience));

        await AssertInvalidTokenAsync(response);
    }

    [Fact]
    public async Task Returns401GivenTokenWithoutApiScope()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(_identity);
        var token = await IdentityServerFixture.RequestPasswordTokenAsync(_identity, userName, password, "openid profile roles");

        using var response = await GetAsync("/api/protected", token.AccessToken!);

        await AssertInvalidTokenAsync(response);
    }

    [Fact]
    public async Task Returns401GivenIdTokenInsteadOfAccessToken()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(_identity);
        var token = await IdentityServerFixture.RequestPasswordTokenAsync(_identity, userName, password);

        using var idToken = await GetAsync("/api/protected", token.IdentityToken!);
        using var forgedType = await GetAsync("/api/protected", (await ForgeAsync()).Create(type: "JWT"));

        await AssertInvalidTokenAsync(idToken);
        await AssertInvalidTokenAsync(forgedType);
    }

    [Fact]
    public async Task AdminReturns403GivenUserToken()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity);

        using var response = await GetAsync("/api/admin", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AdminGreetsAdministratorGivenAdminToken()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity, admin: true);

        using var response = await GetAsync("/api/admin", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(_fixture.Identity.AdminUserName, body.GetProperty("username").GetString());
        Assert.Contains("admin", body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
    }

    [Fact]
    public async Task MfaEndpointAsksForASecondFactorGivenAPasswordOnlyToken()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity);

        using var response = await GetAsync("/api/mfa", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge, StringComparison.Ordinal);
        Assert.Contains("acr_values=\"urn:identityhost:acr:mfa\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MfaEndpointGreetsAUserWhoSignedInWithASecondFactor()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(_identity);
        var key = await EnrolAuthenticatorAsync(userName);
        var step = IdentityHost.IdentityServer.Mfa.Totp.TimeStep(_fixture.Identity.Clock.GetUtcNow()) + 1;
        var request = new Duende.IdentityModel.Client.PasswordTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = IdentityServerFixture.ClientId,
            UserName = userName,
            Password = password,
            Scope = IdentityServerFixture.AllScopes,
        };
        request.Parameters.Add("totp", IdentityHost.IdentityServer.Mfa.Totp.Compute(key, step));
        var token = (await Duende.IdentityModel.Client.HttpClientTokenRequestExtensions.RequestPasswordTokenAsync(_identity, request, TestContext.Current.CancellationToken)).AccessToken!;

        using var response = await GetAsync("/api/mfa", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MachineEndpointGreetsClientGivenClientCredentialsToken()
    {
        var token = (await _fixture.Identity.RequestMachineTokenAsync(_identity)).AccessToken!;

        using var response = await GetAsync("/api/machine", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal($"Welcome, {IdentityServerFixture.MachineClientId}!", body.GetProperty("message").GetString());
        Assert.Empty(body.GetProperty("roles").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/protected")]
    [InlineData("/api/admin")]
    public async Task UserEndpointsReturn403GivenClientCredentialsToken(string path)
    {
        var token = (await _fixture.Identity.RequestMachineTokenAsync(_identity)).AccessToken!;

        using var response = await GetAsync(path, token);

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MachineEndpointReturns403GivenUserToken()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity);

        using var response = await GetAsync("/api/machine", token);

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ValidatesTokensLocallyWithoutCallingTheServerPerRequest()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity);
        using (var warmUp = await GetAsync("/api/protected", token))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var before = _fixture.Backchannel.Count;
        for (var i = 0; i < 20; i++)
        {
            using var response = await GetAsync("/api/protected", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before, _fixture.Backchannel.Count);
    }

    public void Dispose()
    {
        _identity.Dispose();
        _api.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<TokenForge> ForgeAsync() =>
        await TokenForge.CreateAsync(_fixture.Identity.Host, await _fixture.Identity.GetAccessTokenAsync(_identity));

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _api.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        return problem;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteGreetingsApiTests(SqliteResourceApiFixture fixture)
    : GreetingsApiTests(fixture), IClassFixture<SqliteResourceApiFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlGreetingsApiTests(MySqlResourceApiFixture fixture)
    : GreetingsApiTests(fixture), IClassFixture<MySqlResourceApiFixture>;
