using System.Net;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.SignIn;

/// <summary>
/// The authorization code flow as a browser and a client drive it: sign-in page, session cookie, PKCE, exact
/// redirect URIs, state and nonce, prompt and max_age, consent for third-party clients, code replay, end-session.
/// </summary>
public abstract class AuthorizationCodeTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private const string Scope = "openid profile roles offline_access api";

    // Note: the third-party client has no refresh_token grant, so it may not ask for offline_access.
    private const string ThirdPartyScope = "openid profile roles api";

    [Fact]
    public async Task CanSignInWithAuthorizationCodeAndPkce()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        var pkce = Pkce.Create();

        using var toSignIn = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope);
        Assert.Equal(HttpStatusCode.Redirect, toSignIn.StatusCode);
        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(toSignIn), StringComparison.Ordinal);
        var returnUrl = BrowserSession.QueryOf(toSignIn)["ReturnUrl"];

        using var signedIn = await browser.SignInAsync(userName, password, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(returnUrl, signedIn.Headers.Location!.OriginalString);

        using var toClient = await browser.Client.GetAsync(new Uri(returnUrl, UriKind.Relative), TestContext.Current.CancellationToken);
        var callback = BrowserSession.QueryOf(toClient);
        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri + "?", toClient.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(BrowserSession.QueryOf(toSignIn)["ReturnUrl"].Split("state=")[1].Split('&')[0], callback["state"]);

        var tokens = await RedeemAsync(callback["code"], pkce.Verifier);
        Assert.False(tokens.IsError, tokens.Raw);
        var identity = new JsonWebToken(tokens.IdentityToken);
        Assert.Equal(returnUrl.Split("nonce=")[1].Split('&')[0], identity.GetClaim("nonce").Value);
        Assert.Equal(userName, identity.GetClaim("name").Value);
        Assert.Contains(identity.Claims, claim => claim.Type == "auth_time");
        var access = new JsonWebToken(tokens.AccessToken);
        Assert.Equal("resource_api", Assert.Single(access.Audiences));
        Assert.DoesNotContain(access.Claims, claim => claim.Type.StartsWith("identityhost_", StringComparison.Ordinal));
        Assert.Equal(["user"], access.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
        Assert.NotNull(tokens.RefreshToken);
    }

    [Fact]
    public async Task SessionCookieIsHttpOnlyAndSameSiteLax()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);

        using var signedIn = await browser.SignInAsync(userName, password);

        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), value => value.StartsWith("identityhost.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SessionCookieIsSecureWhenHttpsIsRequired()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { ["OpenIddict:RequireHttps"] = "true" });
        using var browser = new BrowserSession(host);

        using var signedIn = await browser.SignInAsync(userName, password);

        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), value => value.StartsWith("identityhost.session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SecondClientSignsInWithoutAskingForThePasswordAgain()
    {
        using var browser = await SignedInBrowserAsync();

        using var first = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);
        using var second = await browser.AuthorizeAsync(IdentityServerFixture.ClientId, "https://oauth.pstmn.io/v1/callback", Pkce.Create(), Scope);

        Assert.Contains("code", BrowserSession.QueryOf(first).Keys);
        Assert.StartsWith("https://oauth.pstmn.io/v1/callback?", second.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("code", BrowserSession.QueryOf(second).Keys);
    }

    [Theory]
    [InlineData("code_challenge=|code_challenge_method=", "invalid_request")]
    [InlineData("code_challenge_method=plain", "invalid_request")]
    [InlineData("scope=openid unknown-scope", "invalid_scope")]
    [InlineData("response_type=token", "unsupported_response_type")]
    [InlineData("response_type=code id_token", "unsupported_response_type")]
    [InlineData("response_mode=web_message", "invalid_request")]
    [InlineData("request=eyJhbGciOiJub25lIn0.e30.", "request_not_supported")]
    [InlineData("request_uri=https://webapp.example/request.jwt", "request_uri_not_supported")]
    [InlineData("prompt=none login", "invalid_request")]
    public async Task AuthorizeSendsErrorsBackToTheClientsRegisteredRedirectUri(string parameters, string error)
    {
        // Note: RFC 6749 section 4.1.2.1, RFC 7636 section 4.4.1 and OpenID Connect Core section 3.1.2.6: once the client
        // and its redirect URI are known good, every other error goes back to the client, with state and RFC 9207 iss.
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        var extra = parameters.Split('|').Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        if (extra.TryGetValue("code_challenge_method", out var method) && method == "plain")
        {
            extra["code_challenge"] = pkce.Verifier;
        }

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            pkce, extra.TryGetValue("scope", out var scope) ? scope : Scope, extra);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri, location.AbsoluteUri, StringComparison.Ordinal);
        var answer = QueryHelpers.ParseQuery(location.Fragment.Length > 0 ? location.Fragment[1..] : location.Query);
        Assert.Equal(error, answer["error"].ToString());
        Assert.StartsWith("state-", answer["state"].ToString(), StringComparison.Ordinal);
        Assert.Equal(IdentityServerFixture.Authority.AbsoluteUri, answer["iss"].ToString());
        Assert.DoesNotContain("code", answer.Keys);
    }

    [Theory]
    [InlineData("unknown-client", IdentityServerFixture.WebAppRedirectUri)]
    [InlineData(IdentityServerFixture.WebAppClientId, "https://evil.example/signin-oidc")]
    public async Task AuthorizeShowsItsErrorPageWhenTheClientOrRedirectUriIsNotKnown(string clientId, string redirectUri)
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(clientId, redirectUri, Pkce.Create(), Scope,
            new Dictionary<string, string> { ["code_challenge_method"] = "plain" });

        await AssertErrorPageAsync(response, OidcConstants.AuthorizeErrors.InvalidRequest);
    }

    [Fact]
    public async Task TokenEndpointRefusesAWrongCodeVerifier()
    {
        using var browser = await SignedInBrowserAsync();
        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        var tokens = await RedeemAsync(BrowserSession.QueryOf(response)["code"], Pkce.Create().Verifier);

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, tokens.Error);
    }

    [Theory]
    [InlineData("https://webapp.example/signin-oidc/extra")]
    [InlineData("https://webapp.example/signin-oidc?next=https://evil.example")]
    [InlineData("https://webapp.example.evil.example/signin-oidc")]
    [InlineData("http://webapp.example/signin-oidc")]
    [InlineData("https://evil.example/signin-oidc")]
    [InlineData("https://webapp.example/*")]
    public async Task AuthorizeRefusesARedirectUriThatIsNotRegisteredExactly(string redirectUri)
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, redirectUri, Pkce.Create(), Scope);

        // Note: never redirected: an unregistered redirect URI gets an error page here, not a trip to that URI.
        await AssertErrorPageAsync(response, OidcConstants.AuthorizeErrors.InvalidRequest);
    }

    [Fact]
    public async Task CodeRedeemedInParallelIssuesTokensOnce()
    {
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope);
        var code = BrowserSession.QueryOf(response)["code"];

        // Note: the redemption is one UPDATE conditioned on the row's concurrency token (Tokens/TokenRowStore), so of
        // racing requests exactly one may win, whichever it is.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RedeemAsync(code, pkce.Verifier)));

        Assert.Single(answers, answer => !answer.IsError);
        Assert.All(answers.Where(answer => answer.IsError), answer => Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, answer.Error));
    }

    [Fact]
    public async Task ReplayedCodeIsRefusedAndRevokesTheTokensIssuedFromIt()
    {
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope);
        var code = BrowserSession.QueryOf(response)["code"];

        var first = await RedeemAsync(code, pkce.Verifier);
        var replay = await RedeemAsync(code, pkce.Verifier);
        var refresh = await Client.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = IdentityServerFixture.WebAppClientId,
            ClientSecret = Fixture.WebAppClientSecret,
            RefreshToken = first.RefreshToken!,
        }, TestContext.Current.CancellationToken);
        var introspection = await Client.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/introspect").ToString(),
            ClientId = IdentityServerFixture.ResourceClientId,
            ClientSecret = Fixture.ResourceClientSecret,
            Token = first.AccessToken!,
        }, TestContext.Current.CancellationToken);

        Assert.False(first.IsError, first.Raw);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, replay.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
        Assert.False(introspection.IsActive);
    }

    [Fact]
    public async Task PromptLoginSendsASignedInUserToSignInAgain()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["prompt"] = "login" });

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
        Assert.DoesNotContain("prompt", BrowserSession.QueryOf(response)["ReturnUrl"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxAgeSendsAUserWhoSignedInEarlierToSignInAgain()
    {
        using var browser = await SignedInBrowserAsync();
        Fixture.Clock.Advance(TimeSpan.FromSeconds(2));

        using var tooOld = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["max_age"] = "1" });
        using var recentEnough = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["max_age"] = "3600" });

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(tooOld), StringComparison.Ordinal);
        Assert.Contains("code", BrowserSession.QueryOf(recentEnough).Keys);
    }

    [Fact]
    public async Task MaxAgeZeroAsksForThePasswordOnceNotInALoop()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (var first = await browser.SignInAsync(userName, password))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var toSignIn = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["max_age"] = "0" });
        var returnUrl = BrowserSession.QueryOf(toSignIn)["ReturnUrl"];
        using var signedIn = await browser.SignInAsync(userName, password, returnUrl);
        using var toClient = await browser.Client.GetAsync(new Uri(BrowserSession.LocalTarget(signedIn), UriKind.Relative),
            TestContext.Current.CancellationToken);

        Assert.DoesNotContain("max_age", returnUrl, StringComparison.Ordinal);
        Assert.Contains("code", BrowserSession.QueryOf(toClient).Keys);
    }

    [Fact]
    public async Task MaxAgeCountsFromTheSignInNotFromTheLastCookieRenewal()
    {
        var clock = new TestClock();
        await using var host = Fixture.CreateHost(services: services => services.AddSingleton<TimeProvider>(clock));
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(host);
        using (var signedIn = await browser.SignInAsync(userName, password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // Note: past the cookie's 30-minute security-stamp check, which renews the cookie with a new issue time.
        clock.Advance(TimeSpan.FromMinutes(31));
        using (await browser.Client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken))
        {
        }

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["max_age"] = "600" });

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordChangeStopsTheSessionFromGettingNewCodes()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        using var change = new HttpRequestMessage(HttpMethod.Post, "/api/account/password")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { currentPassword = password, newPassword = IdentityServerFixture.NewPassword() }),
        };
        change.SetBearerToken(token.AccessToken!);
        using (var changed = await Client.SendAsync(change, TestContext.Current.CancellationToken))
        {
            Assert.True(changed.IsSuccessStatusCode, $"{(int)changed.StatusCode}");
        }

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostedAuthorizationRequestReachesTheConsentPageIntact()
    {
        using var browser = await SignedInBrowserAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFixture.ThirdPartyClientId,
            ["redirect_uri"] = IdentityServerFixture.ThirdPartyRedirectUri,
            ["response_type"] = "code",
            ["scope"] = ThirdPartyScope,
            ["code_challenge"] = Pkce.Create().Challenge,
            ["code_challenge_method"] = "S256",
        });

        using var response = await browser.Client.PostAsync(new Uri("/connect/authorize", UriKind.Relative), form, TestContext.Current.CancellationToken);
        using var page = await browser.Client.GetAsync(new Uri(BrowserSession.LocalTarget(response), UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.StartsWith("/account/consent", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Third Party App", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsentPageRequiresASession()
    {
        using var browser = new BrowserSession(Fixture.Host);

        using var response = await browser.Client.GetAsync(new Uri(
            "/account/consent?returnUrl=" + Uri.EscapeDataString($"/connect/authorize?client_id={IdentityServerFixture.ThirdPartyClientId}&scope=openid"),
            UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndSessionWithoutIdTokenHintAsksTheUserFirst()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        using var endSession = await browser.Client.GetAsync(new Uri("/connect/endsession", UriKind.Relative), TestContext.Current.CancellationToken);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);
        using var stillSignedIn = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        Assert.Equal("/account/logout", BrowserSession.LocalTarget(endSession));
        Assert.False(refresh.IsError, refresh.Raw);
        Assert.Contains("code", BrowserSession.QueryOf(stillSignedIn).Keys);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("this-challenge-is-44-characters-long-abcdefgh")]
    [InlineData("a challenge with spaces is not base64url ok")]
    public async Task AuthorizeRefusesAnS256ChallengeThatIsNotA43CharacterBase64UrlHash(string challenge)
    {
        // Note: RFC 7636 section 4.2: BASE64URL(SHA256(verifier)) is always 43 characters of [A-Za-z0-9-_].
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["code_challenge"] = challenge });

        Assert.Equal("invalid_request", BrowserSession.QueryOf(response)["error"]);
    }

    [Fact]
    public async Task TokenEndpointRefusesACodeVerifierOfTheWrongForm()
    {
        using var browser = await SignedInBrowserAsync();
        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        var tokens = await RedeemAsync(BrowserSession.QueryOf(response)["code"], "short");

        // Note: RFC 7636 section 4.1: 43 to 128 characters of [A-Za-z0-9-._~].
        Assert.Equal(OidcConstants.TokenErrors.InvalidRequest, tokens.Error);
        Assert.Contains("code_verifier", tokens.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeRefusesARepeatedParameterBackAtTheClient()
    {
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        var url = "/connect/authorize?client_id=" + IdentityServerFixture.WebAppClientId + "&redirect_uri=" +
            Uri.EscapeDataString(IdentityServerFixture.WebAppRedirectUri) + "&response_type=code&scope=openid&scope=api&state=s1" +
            "&code_challenge=" + pkce.Challenge + "&code_challenge_method=S256";

        using var response = await browser.Client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("invalid_request", BrowserSession.QueryOf(response)["error"]);
        Assert.Contains("'scope'", BrowserSession.QueryOf(response)["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptConsentAsksAgainEvenAfterConsentWasGiven()
    {
        using var browser = await SignedInBrowserAsync();
        using var toConsent = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), ThirdPartyScope);
        using (await browser.SubmitAsync(toConsent.Headers.Location!.OriginalString, new Dictionary<string, string> { ["decision"] = "allow" }))
        {
        }

        using var remembered = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), ThirdPartyScope);
        using var askedAgain = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(),
            ThirdPartyScope, new Dictionary<string, string> { ["prompt"] = "consent" });
        using var firstPartyAsked = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(),
            Scope, new Dictionary<string, string> { ["prompt"] = "consent" });
        using var allowedAgain = await browser.SubmitAsync(askedAgain.Headers.Location!.OriginalString, new Dictionary<string, string> { ["decision"] = "allow" });
        using var withCode = await browser.Client.GetAsync(allowedAgain.Headers.Location, TestContext.Current.CancellationToken);

        Assert.Contains("code", BrowserSession.QueryOf(remembered).Keys);
        Assert.StartsWith("/account/consent", BrowserSession.LocalTarget(askedAgain), StringComparison.Ordinal);
        Assert.StartsWith("/account/consent", BrowserSession.LocalTarget(firstPartyAsked), StringComparison.Ordinal);
        Assert.DoesNotContain("prompt", BrowserSession.QueryOf(allowedAgain).Keys);
        Assert.Contains("code", BrowserSession.QueryOf(withCode).Keys);
    }

    [Fact]
    public async Task PromptSelectAccountLetsTheUserContinueOrSignInAsSomeoneElse()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using (await browser.SignInAsync(userName, password))
        {
        }

        using var toChoose = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["prompt"] = "select_account" });
        var choosePage = BrowserSession.LocalTarget(toChoose);
        var html = await browser.Client.GetStringAsync(new Uri(choosePage, UriKind.Relative), TestContext.Current.CancellationToken);
        using var continued = await browser.SubmitAsync(choosePage, new Dictionary<string, string> { ["decision"] = "continue" });
        using var withCode = await browser.Client.GetAsync(continued.Headers.Location, TestContext.Current.CancellationToken);
        using var switched = await browser.SubmitAsync(choosePage, new Dictionary<string, string> { ["decision"] = "switch" });
        using var afterSwitch = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        Assert.StartsWith("/account/select-account", choosePage, StringComparison.Ordinal);
        Assert.Contains(userName, html, StringComparison.Ordinal);
        Assert.Contains("code", BrowserSession.QueryOf(withCode).Keys);
        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(switched), StringComparison.Ordinal);
        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(afterSwitch), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptNoneWithoutASessionReturnsLoginRequired()
    {
        using var browser = new BrowserSession(Fixture.Host);

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri,
            Pkce.Create(), Scope, new Dictionary<string, string> { ["prompt"] = "none" });

        Assert.Equal("login_required", BrowserSession.QueryOf(response)["error"]);
    }

    [Fact]
    public async Task ThirdPartyClientGetsACodeOnlyAfterConsent()
    {
        using var browser = await SignedInBrowserAsync();

        using var toConsent = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), ThirdPartyScope);
        Assert.StartsWith("/account/consent", BrowserSession.LocalTarget(toConsent), StringComparison.Ordinal);
        var consentPage = toConsent.Headers.Location!.OriginalString;
        using (var page = await browser.Client.GetAsync(new Uri(consentPage, UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Contains("Third Party App", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var allowed = await browser.SubmitAsync(consentPage, new Dictionary<string, string> { ["decision"] = "allow" });
        using var withCode = await browser.Client.GetAsync(allowed.Headers.Location, TestContext.Current.CancellationToken);
        using var again = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), ThirdPartyScope);

        Assert.Contains("code", BrowserSession.QueryOf(withCode).Keys);
        Assert.Contains("code", BrowserSession.QueryOf(again).Keys);
    }

    [Fact]
    public async Task ThirdPartyClientGetsAccessDeniedWhenTheUserDeclines()
    {
        using var browser = await SignedInBrowserAsync();
        using var toConsent = await browser.AuthorizeAsync(IdentityServerFixture.ThirdPartyClientId, IdentityServerFixture.ThirdPartyRedirectUri, Pkce.Create(), ThirdPartyScope);

        using var denied = await browser.SubmitAsync(toConsent.Headers.Location!.OriginalString, new Dictionary<string, string> { ["decision"] = "deny" });
        using var toClient = await browser.Client.GetAsync(denied.Headers.Location, TestContext.Current.CancellationToken);

        Assert.StartsWith(IdentityServerFixture.ThirdPartyRedirectUri + "?", toClient.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("access_denied", BrowserSession.QueryOf(toClient)["error"]);
    }

    [Fact]
    public async Task FirstPartyClientSkipsConsent()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri, response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("https:evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("%2F%5Cevil.example")]
    [InlineData("/\t/evil.example")]
    public async Task SignInPageOnlyReturnsToLocalPaths(string returnUrl)
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);

        using var response = await browser.SignInAsync(userName, password, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.False(location.IsAbsoluteUri && location.Host.Length > 0, $"Redirected off-site to {location}");
        Assert.True(location.OriginalString == "/" || (location.OriginalString.StartsWith('/') &&
            !location.OriginalString.StartsWith("//", StringComparison.Ordinal) &&
            !location.OriginalString.StartsWith("/\\", StringComparison.Ordinal)), location.OriginalString);
    }

    [Fact]
    public async Task SignInPageAnswersUnknownUserAndWrongPasswordAlike()
    {
        var (userName, _) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);

        using var wrongPassword = await browser.SignInAsync(userName, IdentityServerFixture.NewPassword());
        using var unknownUser = await browser.SignInAsync(IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword());

        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownUser.StatusCode);
        Assert.Equal(ErrorOf(await wrongPassword.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)),
            ErrorOf(await unknownUser.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task SignInFormRequiresTheAntiforgeryToken()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = userName, ["Password"] = password });

        using var response = await browser.Client.PostAsync(new Uri("/account/login", UriKind.Relative), form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            cookie => cookie.StartsWith("identityhost.session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CanRegisterOnThePageAndArriveSignedIn()
    {
        using var browser = new BrowserSession(Fixture.Host);
        var userName = IdentityServerFixture.NewUserName();

        using var registered = await browser.SubmitAsync("/account/register",
            new Dictionary<string, string> { ["UserName"] = userName, ["Password"] = IdentityServerFixture.NewPassword() + "xx" });
        using var home = await browser.Client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        Assert.Contains(userName, await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndSessionSignsOutAndReturnsOnlyToARegisteredUri()
    {
        using var browser = await SignedInBrowserAsync();
        var pkce = Pkce.Create();
        using var authorized = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope);
        var tokens = await RedeemAsync(BrowserSession.QueryOf(authorized)["code"], pkce.Verifier);

        using var unregistered = await browser.Client.GetAsync(new Uri(
            $"/connect/endsession?id_token_hint={tokens.IdentityToken}&post_logout_redirect_uri={Uri.EscapeDataString("https://evil.example/")}",
            UriKind.Relative), TestContext.Current.CancellationToken);
        using var registered = await browser.Client.GetAsync(new Uri(
            $"/connect/endsession?id_token_hint={tokens.IdentityToken}&post_logout_redirect_uri={Uri.EscapeDataString(IdentityServerFixture.WebAppPostLogoutRedirectUri)}&state=bye",
            UriKind.Relative), TestContext.Current.CancellationToken);
        using var afterwards = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope);

        await AssertErrorPageAsync(unregistered, OidcConstants.AuthorizeErrors.InvalidRequest);
        Assert.Equal(IdentityServerFixture.WebAppPostLogoutRedirectUri + "?state=bye", registered.Headers.Location!.AbsoluteUri);
        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(afterwards), StringComparison.Ordinal);
    }

    private async Task<BrowserSession> SignedInBrowserAsync()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    private Task<TokenResponse> RedeemAsync(string code, string verifier) =>
        Client.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = IdentityServerFixture.WebAppClientId,
            ClientSecret = Fixture.WebAppClientSecret,
            Code = code,
            RedirectUri = IdentityServerFixture.WebAppRedirectUri,
            CodeVerifier = verifier,
        }, TestContext.Current.CancellationToken);

    private static async Task AssertErrorPageAsync(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.True("text/html" == response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains($"<code id=\"error-code\">{error}</code>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            StringComparison.Ordinal);
    }

    private static string ErrorOf(string html)
    {
        var start = html.IndexOf("id=\"error\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "The page shows no error.");
        return html[(start + 11)..html.IndexOf('<', start + 11)];
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAuthorizationCodeTests(SqliteServerFixture fixture)
    : AuthorizationCodeTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlAuthorizationCodeTests(MySqlServerFixture fixture)
    : AuthorizationCodeTests(fixture), IClassFixture<MySqlServerFixture>;
