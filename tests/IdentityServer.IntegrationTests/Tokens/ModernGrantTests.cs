using System.Net;
using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary>
/// The grants and endpoints current OAuth deployments expect, driven by Duende.IdentityModel: the device authorization
/// grant (RFC 8628), pushed authorization requests (RFC 9126), token exchange (RFC 8693), resource indicators
/// (RFC 8707) and private_key_jwt client authentication (RFC 7523).
/// </summary>
public abstract class ModernGrantTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly string TokenEndpoint = new Uri(IdentityServerFixture.Authority, "connect/token").ToString();

    [Fact]
    public async Task DeviceGetsTokensOnceItsUserApprovesTheCode()
    {
        var authorization = await Client.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/device").ToString(),
            ClientId = IdentityServerFixture.DeviceClientId,
            Scope = "openid profile offline_access api",
        }, TestContext.Current.CancellationToken);
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(new Uri(IdentityServerFixture.Authority, "account/device").ToString(), authorization.VerificationUri);

        var pending = await PollAsync(authorization.DeviceCode!);
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        var page = "/account/device?user_code=" + Uri.EscapeDataString(authorization.UserCode!);
        var html = await browser.Client.GetStringAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);
        using var approved = await browser.SubmitAsync(page, new Dictionary<string, string> { ["decision"] = "allow" });
        Fixture.Clock.Advance(TimeSpan.FromSeconds(authorization.Interval + 1));
        var tokens = await PollAsync(authorization.DeviceCode!);
        var again = await PollAsync(authorization.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, pending.Error);
        Assert.Contains(IdentityServerFixture.DeviceClientId, html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.False(tokens.IsError, tokens.Raw);
        Assert.Equal(userName, new JsonWebToken(tokens.AccessToken).GetClaim("name").Value);
        // Note: the device's tokens say how the approving user signed in (a password, here), as a code flow's do.
        Assert.Equal(["pwd"], AmrOf(tokens.AccessToken!));
        Assert.Equal(["pwd"], AmrOf(tokens.IdentityToken!));
        Assert.Equal("urn:identityhost:acr:pwd", new JsonWebToken(tokens.AccessToken).GetClaim("acr").Value);
        Assert.NotNull(tokens.RefreshToken);
        Assert.True(again.IsError, "A device code is redeemed once.");
    }

    [Fact]
    public async Task DeviceApprovalAsksForTheSecondFactorItsClientRequires()
    {
        // Note: a device client of its own, made at run time with RequireMfa (a second server configured with it would
        // change the shared device client for every other test on this database).
        var clientId = "tv-mfa-" + Guid.NewGuid().ToString("N")[..12];
        using var created = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/clients", new
        {
            clientId,
            confidential = false,
            grantTypes = DeviceGrant,
            scopes = OpenIdAndApi,
            requireMfa = true,
        }, await Fixture.GetAccessTokenAsync(Client, admin: true));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var authorization = await Client.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/device").ToString(),
            ClientId = clientId,
            Scope = "openid api",
        }, TestContext.Current.CancellationToken);
        Assert.False(authorization.IsError, authorization.Raw);
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        var page = "/account/device?user_code=" + Uri.EscapeDataString(authorization.UserCode!);
        using var shown = await browser.Client.GetAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);

        // Note: a password-only session is sent to enrol (the page shows no form to allow the code), and back to this
        // code afterwards.
        Assert.Equal(HttpStatusCode.Redirect, shown.StatusCode);
        Assert.Equal("/account/login/enrol?returnUrl=" + Uri.EscapeDataString(page), BrowserSession.LocalTarget(shown));
    }

    [Fact]
    public async Task DevicePollingFasterThanTheIntervalIsToldToSlowDown()
    {
        var authorization = await Client.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/device").ToString(),
            ClientId = IdentityServerFixture.DeviceClientId,
            Scope = "openid api",
        }, TestContext.Current.CancellationToken);

        var first = await PollAsync(authorization.DeviceCode!);
        var tooSoon = await PollAsync(authorization.DeviceCode!);
        Fixture.Clock.Advance(TimeSpan.FromSeconds(6));
        var onTime = await PollAsync(authorization.DeviceCode!);

        // Note: RFC 8628 section 3.5: slow_down for a poll within the interval (5 seconds when none is named).
        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, first.Error);
        Assert.Equal(OidcConstants.TokenErrors.SlowDown, tooSoon.Error);
        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, onTime.Error);
    }

    [Fact]
    public async Task DeviceGetsAccessDeniedWhenItsUserDenies()
    {
        var authorization = await Client.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/device").ToString(),
            ClientId = IdentityServerFixture.DeviceClientId,
            Scope = "openid api",
        }, TestContext.Current.CancellationToken);
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        using (await browser.SubmitAsync("/account/device?user_code=" + Uri.EscapeDataString(authorization.UserCode!),
            new Dictionary<string, string> { ["decision"] = "deny" }))
        {
        }

        Fixture.Clock.Advance(TimeSpan.FromSeconds(authorization.Interval + 1));
        var tokens = await PollAsync(authorization.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.AccessDenied, tokens.Error);
    }

    [Fact]
    public async Task DeviceAuthorizationIsRefusedToAClientNotAllowedTheGrant()
    {
        var authorization = await Client.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/device").ToString(),
            ClientId = IdentityServerFixture.ClientId,
            Scope = "openid",
        }, TestContext.Current.CancellationToken);

        Assert.Equal(OidcConstants.TokenErrors.UnauthorizedClient, authorization.Error);
    }

    [Fact]
    public async Task PushedAuthorizationRequestIsRedeemedByItsRequestUri()
    {
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        var pushed = await Client.PushAuthorizationAsync(new PushedAuthorizationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/par").ToString(),
            ClientId = IdentityServerFixture.ParOnlyClientId,
            RedirectUri = IdentityServerFixture.ParOnlyRedirectUri,
            ResponseType = "code",
            Scope = "openid api",
            State = "par-state",
            Nonce = "par-nonce",
            CodeChallenge = pkce.Challenge,
            CodeChallengeMethod = "S256",
        }, TestContext.Current.CancellationToken);
        Assert.False(pushed.IsError, pushed.Raw);

        using var response = await browser.Client.GetAsync(new Uri(
            $"/connect/authorize?client_id={IdentityServerFixture.ParOnlyClientId}&request_uri={Uri.EscapeDataString(pushed.RequestUri!)}",
            UriKind.Relative), TestContext.Current.CancellationToken);
        var answer = BrowserSession.QueryOf(response);
        var tokens = await Client.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.ParOnlyClientId,
            Code = answer["code"],
            RedirectUri = IdentityServerFixture.ParOnlyRedirectUri,
            CodeVerifier = pkce.Verifier,
        }, TestContext.Current.CancellationToken);

        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", pushed.RequestUri, StringComparison.Ordinal);
        Assert.Equal("par-state", answer["state"]);
        Assert.False(tokens.IsError, tokens.Raw);
    }

    [Fact]
    public async Task ClientThatMustPushIsRefusedAPlainAuthorizationRequest()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.ParOnlyClientId, IdentityServerFixture.ParOnlyRedirectUri,
            Pkce.Create(), "openid api");

        Assert.Equal(OidcConstants.AuthorizeErrors.InvalidRequest, BrowserSession.QueryOf(response)["error"]);
    }

    [Fact]
    public async Task ServerWideSwitchMakesEveryClientPushItsRequests()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { ["OpenIddict:RequirePushedAuthorizationRequests"] = "true" });
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(host.CreateClient());
        using var browser = new BrowserSession(host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        using var plain = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), "openid api");
        using var discovery = JsonDocument.Parse(await browser.Client.GetStringAsync(
            new Uri("/.well-known/openid-configuration", UriKind.Relative), TestContext.Current.CancellationToken));

        Assert.Equal(OidcConstants.AuthorizeErrors.InvalidRequest, BrowserSession.QueryOf(plain)["error"]);
        Assert.True(discovery.RootElement.GetProperty("require_pushed_authorization_requests").GetBoolean());
    }

    [Fact]
    public async Task ApiExchangesAUsersTokenItReceivedForOneAimedAtAnotherApiNamingItselfAsActor()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var user = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, "openid profile api");

        var exchanged = await ExchangeAsync(user.AccessToken!, audience: IdentityServerFixture.OrdersApi);
        var byResource = await ExchangeAsync(user.AccessToken!, resource: IdentityServerFixture.OrdersApiUri);

        Assert.False(exchanged.IsError, exchanged.Raw);
        var token = new JsonWebToken(exchanged.AccessToken);
        Assert.Equal([IdentityServerFixture.OrdersApi], token.Audiences);
        Assert.Equal(new JsonWebToken(user.AccessToken).Subject, token.Subject);
        Assert.True(token.TryGetClaim("name", out var name), exchanged.AccessToken);
        Assert.Equal(userName, name.Value);
        using var actor = JsonDocument.Parse(token.GetClaim("act").Value);
        Assert.Equal(IdentityServerFixture.ResourceClientId, actor.RootElement.GetProperty("sub").GetString());
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", exchanged.IssuedTokenType);
        Assert.Equal(AmrOf(user.AccessToken!), AmrOf(exchanged.AccessToken!));
        Assert.Equal(["pwd"], AmrOf(exchanged.AccessToken!));
        Assert.Null(exchanged.RefreshToken);
        Assert.False(byResource.IsError, byResource.Raw);
        Assert.Equal([IdentityServerFixture.OrdersApi], new JsonWebToken(byResource.AccessToken).Audiences);
    }

    [Fact]
    public async Task TokenExchangeToAnAudienceTheClientIsNotConfiguredForIsRefusedAndAudited()
    {
        var token = await Fixture.GetAccessTokenAsync(Client);

        var refused = await ExchangeAsync(token, audience: "resource_api");
        var unnamed = await ExchangeAsync(token);

        Assert.Equal("invalid_target", refused.Error);
        Assert.Equal("invalid_target", unnamed.Error);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("Audit \"token.exchange_refused\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenExchangeIsRefusedToAClientNotAllowedTheGrant()
    {
        var token = await Fixture.GetAccessTokenAsync(Client);

        var response = await Client.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.MachineClientId,
            ClientSecret = Fixture.MachineClientSecret,
            SubjectToken = token,
            SubjectTokenType = OidcConstants.TokenTypeIdentifiers.AccessToken,
            Audience = IdentityServerFixture.OrdersApi,
        }, TestContext.Current.CancellationToken);

        Assert.Equal(OidcConstants.TokenErrors.UnauthorizedClient, response.Error);
    }

    [Theory]
    [InlineData(IdentityServerFixture.ResourceApiUri, "resource_api")]
    public async Task ResourceIndicatorNamesTheAudience(string resource, string audience)
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.ClientId,
            UserName = userName,
            Password = password,
            Scope = "openid api",
            Resource = { resource },
        }, TestContext.Current.CancellationToken);

        Assert.False(response.IsError, response.Raw);
        Assert.Equal([audience], new JsonWebToken(response.AccessToken).Audiences);
    }

    [Theory]
    [InlineData("https://unknown.example/")]
    [InlineData(IdentityServerFixture.OrdersApiUri)]
    public async Task ResourceTheClientMayNotNameIsInvalidTarget(string resource)
    {
        // Note: RFC 8707 section 2: an unknown resource, or one this client may not ask for (no scope of its grants it).
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.ClientId,
            UserName = userName,
            Password = password,
            Scope = "openid api",
            Resource = { resource },
        }, TestContext.Current.CancellationToken);

        Assert.Equal("invalid_target", response.Error);
    }

    [Fact]
    public async Task ClientAuthenticatesWithAPrivateKeyJwt()
    {
        var response = await Client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.SignerClientId,
            ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = Assertion(Fixture.SignerKey) },
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

        Assert.False(response.IsError, response.Raw);
        Assert.Equal(IdentityServerFixture.SignerClientId, new JsonWebToken(response.AccessToken).Subject);
    }

    [Fact]
    public async Task PrivateKeyJwtSignedByAnotherKeyIsRefused()
    {
        var response = await Client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.SignerClientId,
            ClientAssertion = new ClientAssertion
            {
                Type = OidcConstants.ClientAssertionTypes.JwtBearer,
                Value = Assertion(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = Fixture.SignerKey.KeyId }),
            },
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

        // Note: RFC 6749 section 5.2: 401 with invalid_client (the library reports a 401 as an HTTP error, so the body is read here).
        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        using var body = JsonDocument.Parse(response.Raw!);
        Assert.Equal(OidcConstants.TokenErrors.InvalidClient, body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ClientAuthenticatesWithAKeyFromTheKeySetItPublishesAtItsJwksUri()
    {
        // Note: a real HTTP server on loopback publishes the client's key set, as the client's own site would.
        var key = new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "published-1" };
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
        await using var keyHost = builder.Build();
        var fetches = 0;
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(keyHost, "/jwks", () =>
        {
            Interlocked.Increment(ref fetches);
            return Microsoft.AspNetCore.Http.Results.Content(IdentityServerFixture.PublicKeySet(key), "application/json");
        });
        await keyHost.StartAsync(TestContext.Current.CancellationToken);
        var address = keyHost.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single();
        var jwksUri = address + "/jwks";
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:Clients:20:ClientId"] = "publisher",
            ["OpenIddict:Clients:20:JwksUri"] = jwksUri,
            ["OpenIddict:Clients:20:GrantTypes:0"] = "client_credentials",
            ["OpenIddict:Clients:20:Scopes:0"] = "api",
        });
        HttpClient client;
        try
        {
            client = host.CreateClient();
        }
        catch (ObjectDisposedException)
        {
            throw new InvalidOperationException(string.Join('\n', host.Logs.Lines.TakeLast(10)));
        }

        using var _ = client;
        var first = await AssertionGrantAsync(client, "publisher", key);
        var second = await AssertionGrantAsync(client, "publisher", key);
        var forged = await AssertionGrantAsync(client, "publisher", new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "published-1" });

        Assert.False(first.IsError, first.Raw);
        Assert.False(second.IsError, second.Raw);
        Assert.Equal(1, fetches);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.HttpStatusCode);
    }

    private static Task<TokenResponse> AssertionGrantAsync(HttpClient client, string clientId, SecurityKey key) =>
        client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = clientId,
            ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = Assertion(key, clientId) },
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

    /// <summary>A client assertion as RFC 7523 section 3 describes it, signed RS256.</summary>
    private static string Assertion(SecurityKey key, string clientId = IdentityServerFixture.SignerClientId) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = clientId,
        Audience = TokenEndpoint,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = clientId,
            ["jti"] = Guid.NewGuid().ToString("N"),
        },
        Expires = DateTime.UtcNow.AddMinutes(2),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    private Task<TokenResponse> ExchangeAsync(string subjectToken, string? audience = null, string? resource = null) =>
        Client.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.ResourceClientId,
            ClientSecret = Fixture.ResourceClientSecret,
            SubjectToken = subjectToken,
            SubjectTokenType = OidcConstants.TokenTypeIdentifiers.AccessToken,
            Audience = audience,
            Resource = resource,
        }, TestContext.Current.CancellationToken);

    private static readonly string[] DeviceGrant = ["urn:ietf:params:oauth:grant-type:device_code"];
    private static readonly string[] OpenIdAndApi = ["openid", "api"];

    private static string[] AmrOf(string token) =>
        [.. new JsonWebToken(token).Claims.Where(claim => claim.Type == "amr").Select(claim => claim.Value).Order(StringComparer.Ordinal)];

    private Task<TokenResponse> PollAsync(string deviceCode) =>
        Client.RequestDeviceTokenAsync(new DeviceTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.DeviceClientId,
            DeviceCode = deviceCode,
        }, TestContext.Current.CancellationToken);

    private async Task<BrowserSession> SignedInBrowserAsync()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        return browser;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteModernGrantTests(SqliteServerFixture fixture)
    : ModernGrantTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlModernGrantTests(MySqlServerFixture fixture)
    : ModernGrantTests(fixture), IClassFixture<MySqlServerFixture>;
