using System.Net;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Mfa;

/// <summary>
/// The second factor in interactive sign-ins: after the password, step-up for <c>acr_values</c>, guided enrolment for the
/// roles of <c>Accounts:Mfa:RequiredForRoles</c> and for <c>RequireMfa</c> clients, and what the tokens of each say.
/// </summary>
public abstract class MfaSignInTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private const string Scope = "openid profile api";
    private const string StrictClientId = "strict";
    private const string StrictRedirectUri = "https://strict.example/callback";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> AsksForMfa = new() { ["acr_values"] = AuthenticationMethods.MultiFactorLevel };

    [Fact]
    public async Task ACodeFlowSignInWithTheSecondFactorIssuesTokensSayingSo()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var browser = new BrowserSession(Fixture.Host);
        var pkce = Pkce.Create();

        using var toSignIn = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope);
        var returnUrl = BrowserSession.QueryOf(toSignIn)["ReturnUrl"];
        using var password = await browser.SignInAsync(user.UserName, user.Password, returnUrl);
        using var code = await browser.SubmitAsync(BrowserSession.LocalTarget(password),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });
        var tokens = await FollowToTokensAsync(browser, BrowserSession.LocalTarget(code), pkce);

        Assert.StartsWith("/account/login/second-factor", BrowserSession.LocalTarget(password), StringComparison.Ordinal);
        AssertSignedInWith(tokens.IdentityToken!, AuthenticationMethods.MultiFactorLevel, "mfa", "otp", "pwd");
        AssertSignedInWith(tokens.AccessToken!, AuthenticationMethods.MultiFactorLevel, "mfa", "otp", "pwd");
    }

    [Fact]
    public async Task AcrValuesAskASignedInUserForTheSecondFactorAndThenIssueTheMultiFactorLevel()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        // Note: signed in with the password while the account had no second factor; then an authenticator is set up.
        var (key, _) = await MfaTestKit.EnrolAsync(browser, Fixture.Clock, userName, password);
        Fixture.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var plain = Pkce.Create();
        using var direct = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, plain, Scope);
        var passwordOnly = await RedeemAsync(direct, plain);
        var pkce = Pkce.Create();

        using var stepUp = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope, AsksForMfa);
        using var code = await browser.SubmitAsync(BrowserSession.LocalTarget(stepUp),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(key, Fixture.Clock) });
        var tokens = await FollowToTokensAsync(browser, BrowserSession.LocalTarget(code), pkce);

        AssertSignedInWith(passwordOnly.IdentityToken!, AuthenticationMethods.PasswordLevel, "pwd");
        Assert.StartsWith("/account/login/second-factor?returnUrl=", BrowserSession.LocalTarget(stepUp), StringComparison.Ordinal);
        AssertSignedInWith(tokens.IdentityToken!, AuthenticationMethods.MultiFactorLevel, "mfa", "otp", "pwd");
    }

    [Fact]
    public async Task AcrValuesForAUserWithoutASecondFactorLeadThroughEnrolmentBackToTheApp()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);
        var pkce = Pkce.Create();

        using var toEnrol = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, pkce, Scope, AsksForMfa);
        var enrolPage = BrowserSession.LocalTarget(toEnrol);
        var key = await MfaTestKit.KeyOnPageAsync(browser, enrolPage);
        using var confirmed = await browser.SubmitAsync(enrolPage, new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(key, Fixture.Clock) });
        var html = await confirmed.Content.ReadAsStringAsync(Cancel);
        var next = System.Net.WebUtility.HtmlDecode(html.Split("id=\"continue\" class=\"button\" href=\"")[1].Split('"')[0]);
        var tokens = await FollowToTokensAsync(browser, next, pkce);

        Assert.StartsWith("/account/login/enrol?returnUrl=", enrolPage, StringComparison.Ordinal);
        Assert.Equal(10, MfaTestKit.RecoveryCodesIn(html).Count);
        AssertSignedInWith(tokens.IdentityToken!, AuthenticationMethods.MultiFactorLevel, "mfa", "otp", "pwd");
    }

    [Fact]
    public async Task PromptNoneWithAcrValuesAndAPasswordOnlySessionAnswersInteractionRequired()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);

        using var answer = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope,
            new Dictionary<string, string>(AsksForMfa) { ["prompt"] = "none" });

        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri, answer.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("interaction_required", BrowserSession.QueryOf(answer)["error"]);
    }

    [Fact]
    public async Task MaxAgeStillAsksAMultiFactorUserToSignInAgain()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var password = await browser.SignInAsync(user.UserName, user.Password);
        using var code = await browser.SubmitAsync(BrowserSession.LocalTarget(password),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });
        Fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        using var tooOld = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope,
            new Dictionary<string, string> { ["max_age"] = "1" });
        using var recent = await browser.AuthorizeAsync(IdentityServerFixture.WebAppClientId, IdentityServerFixture.WebAppRedirectUri, Pkce.Create(), Scope,
            new Dictionary<string, string> { ["max_age"] = "3600" });

        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(tooOld), StringComparison.Ordinal);
        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri + "?code=", recent.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdministratorsMustEnrolBeforeTheyFinishSigningIn()
    {
        var adminToken = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client, role: "admin", bearerToken: adminToken);
        using var strict = StrictHost();
        using var client = strict.CreateClient();
        using var browser = new BrowserSession(strict);

        var grant = await MfaTestKit.PasswordGrantAsync(client, userName, password, totp: null);
        using var signedIn = await browser.SignInAsync(userName, password, "/account");
        using var accountBeforeEnrolling = await browser.Client.GetAsync(new Uri("/account", UriKind.Relative), Cancel);
        var enrolPage = BrowserSession.LocalTarget(signedIn);
        var key = await MfaTestKit.KeyOnPageAsync(browser, enrolPage);
        using var confirmed = await browser.SubmitAsync(enrolPage, new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(key, Fixture.Clock) });
        using var account = await browser.Client.GetAsync(new Uri("/account", UriKind.Relative), Cancel);
        Fixture.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var withCode = await MfaTestKit.PasswordGrantAsync(client, userName, password, MfaTestKit.CodeNow(key, Fixture.Clock));

        Assert.Equal("mfa_required", grant.Error);
        Assert.Contains("has none yet", grant.ErrorDescription, StringComparison.Ordinal);
        Assert.StartsWith("/account/login/enrol?returnUrl=", enrolPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, accountBeforeEnrolling.StatusCode);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.False(withCode.IsError, withCode.Raw);
    }

    [Fact]
    public async Task ARequireMfaClientGetsTokensOnlyForSignInsWithASecondFactor()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var enrolled = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var strict = StrictHost();
        using var client = strict.CreateClient();
        using var browser = new BrowserSession(strict);
        using var signedIn = await browser.SignInAsync(userName, password);

        var withoutFactor = await MfaTestKit.PasswordGrantAsync(client, userName, password, totp: null, StrictClientId);
        var elsewhere = await MfaTestKit.PasswordGrantAsync(client, userName, password, totp: null);
        var withFactor = await MfaTestKit.PasswordGrantAsync(client, enrolled.UserName, enrolled.Password, MfaTestKit.CodeNow(enrolled.Key, Fixture.Clock), StrictClientId);
        using var authorize = await browser.AuthorizeAsync(StrictClientId, StrictRedirectUri, Pkce.Create(), "openid api");

        Assert.Equal("mfa_required", withoutFactor.Error);
        Assert.False(elsewhere.IsError, elsewhere.Raw);
        Assert.False(withFactor.IsError, withFactor.Raw);
        Assert.StartsWith("/account/login/enrol?returnUrl=", BrowserSession.LocalTarget(authorize), StringComparison.Ordinal);
    }

    /// <summary>
    /// A second server on the fixture's database where administrators must have a second factor (the default of
    /// <c>Accounts:Mfa:RequiredForRoles</c>, which the fixture turns off; MfaOptionsTests checks the default itself) and
    /// with a <c>RequireMfa</c> client.
    /// </summary>
    private IdentityServerHost StrictHost() => Fixture.CreateHost(
    [
        new("Accounts:Mfa:RequiredForRoles:0", "admin"),
        new("OpenIddict:Clients:14:ClientId", StrictClientId),
        new("OpenIddict:Clients:14:GrantTypes:0", "password"),
        new("OpenIddict:Clients:14:GrantTypes:1", "authorization_code"),
        new("OpenIddict:Clients:14:RedirectUris:0", StrictRedirectUri),
        new("OpenIddict:Clients:14:Scopes:0", "openid"),
        new("OpenIddict:Clients:14:Scopes:1", "api"),
        new("OpenIddict:Clients:14:RequireMfa", "true"),
    ]);

    /// <summary>From a local URL (the authorization request, or the page that leads to it) to the client's tokens.</summary>
    private async Task<TokenResponse> FollowToTokensAsync(BrowserSession browser, string next, Pkce pkce)
    {
        using var toClient = await browser.Client.GetAsync(new Uri(next, UriKind.Relative), Cancel);
        return await RedeemAsync(toClient, pkce);
    }

    /// <summary>Redeems the code of the redirect to the client.</summary>
    private async Task<TokenResponse> RedeemAsync(HttpResponseMessage toClient, Pkce pkce)
    {
        var location = toClient.Headers.Location?.AbsoluteUri ?? string.Empty;
        Assert.StartsWith(IdentityServerFixture.WebAppRedirectUri + "?", location, StringComparison.Ordinal);
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(location).Query)["code"].ToString();
        var tokens = await Client.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = IdentityServerFixture.WebAppClientId,
            ClientSecret = Fixture.WebAppClientSecret,
            Code = code,
            RedirectUri = IdentityServerFixture.WebAppRedirectUri,
            CodeVerifier = pkce.Verifier,
        }, Cancel);
        Assert.False(tokens.IsError, tokens.Raw);
        return tokens;
    }

    private static void AssertSignedInWith(string token, string acr, params string[] amr)
    {
        var jwt = new JsonWebToken(token);
        Assert.Equal(amr, jwt.Claims.Where(claim => claim.Type == "amr").Select(claim => claim.Value).Order(StringComparer.Ordinal));
        Assert.Equal(acr, jwt.GetClaim("acr").Value);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteMfaSignInTests(SqliteServerFixture fixture) : MfaSignInTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlMfaSignInTests(MySqlServerFixture fixture) : MfaSignInTests(fixture), IClassFixture<MySqlServerFixture>;
