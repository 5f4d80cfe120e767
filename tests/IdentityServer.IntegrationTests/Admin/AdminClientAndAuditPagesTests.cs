using System.Net;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Admin;

/// <summary>
/// The console's clients and audit pages: a client made on the page works at once with the secret shown once, is edited,
/// gets a new secret and is deleted there; configured clients are read-only; the audit pages find the events.
/// </summary>
public abstract partial class AdminClientAndAuditPagesTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly string[] UserAndAdmin = ["user", "admin"];

    public static readonly TheoryData<string> Pages = new() { "/admin/clients", "/admin/clients/new", "/admin/clients/postman", "/admin/audit", "/admin/audit/1" };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task PagesAreForAdministratorsOnly(string page)
    {
        using var anonymous = new BrowserSession(Fixture.Host);
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var ordinary = await SignedInAsync(user.UserName, user.Password);

        using var redirected = await anonymous.Client.GetAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);
        using var forbidden = await ordinary.Client.GetAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task APasswordOnlySessionDoesNotOpenTheConsoleWhereTheRoleNeedsASecondFactor()
    {
        // Note: the fixture needs no second factor for any role; the strict host, on the same database, needs one for admin.
        await using var strict = Fixture.CreateHost([new("Accounts:Mfa:RequiredForRoles:0", "admin")]);
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var lenient = await SignedInAsync(user.UserName, user.Password);
        using var demanding = new BrowserSession(strict);
        using (var signedIn = await demanding.SignInAsync(user.UserName, user.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // Note: made an administrator after signing in with a password only, as a user who needed no second factor.
        using var promoted = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Put, $"/api/users/{user.Id}/roles",
            new { roles = UserAndAdmin }, await Fixture.GetAccessTokenAsync(Client, admin: true));
        using var open = await lenient.Client.GetAsync(new Uri("/admin/clients", UriKind.Relative), TestContext.Current.CancellationToken);
        using var refused = await demanding.Client.GetAsync(new Uri("/admin/clients", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("second factor", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdministratorSeesAUsersSecondFactorsAndResetsThem()
    {
        var enrolled = await Mfa.MfaTestKit.NewEnrolledUserAsync(Fixture, Client, withEmail: true);
        var userId = await UserIdAsync(enrolled.UserName);
        using var browser = await AdminAsync();

        var before = await GetPageAsync(browser, $"/admin/users/{userId}");
        using var reset = await browser.SubmitAsync($"/admin/users/{userId}?handler=ResetFactors", new Dictionary<string, string>());
        var after = await GetPageAsync(browser, BrowserSession.LocalTarget(reset));
        var grant = await Mfa.MfaTestKit.PasswordGrantAsync(Client, enrolled.UserName, enrolled.Password, totp: null);

        Assert.Contains("Authenticator app since", before, StringComparison.Ordinal);
        Assert.Contains("10 recovery codes left", before, StringComparison.Ordinal);
        Assert.Contains("The second factors were removed", after, StringComparison.Ordinal);
        Assert.Contains("<p id=\"factors\">None.</p>", after, StringComparison.Ordinal);
        // Note: without a second factor (and none required for the role here), the password alone signs in again.
        Assert.False(grant.IsError, grant.Raw);
    }

    [Fact]
    public async Task AClientMadeOnThePageGetsTokensWithTheSecretShownOnce()
    {
        var clientId = "page-" + Guid.NewGuid().ToString("N")[..10];
        using var browser = await AdminAsync();

        using var created = await browser.SubmitAsync("/admin/clients/new", new Dictionary<string, string>
        {
            ["Form.ClientId"] = clientId,
            ["Form.Confidential"] = "true",
            ["Form.GrantTypes"] = "client_credentials",
            ["Form.Scopes"] = "api",
        });
        var html = await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var secret = WebUtility.HtmlDecode(SecretShown().Match(html).Groups[1].Value);
        var view = await GetPageAsync(browser, $"/admin/clients/{clientId}");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        Assert.True(secret.Length >= 43, html);
        Assert.DoesNotContain(secret, view, StringComparison.Ordinal);
        Assert.False((await TokenAsync(clientId, secret)).IsError);
    }

    [Fact]
    public async Task AClientIsEditedGivenANewSecretAndDeletedOnItsPage()
    {
        var clientId = "page-" + Guid.NewGuid().ToString("N")[..10];
        using var browser = await AdminAsync();
        using var created = await browser.SubmitAsync("/admin/clients/new", new Dictionary<string, string>
        {
            ["Form.ClientId"] = clientId, ["Form.Confidential"] = "true", ["Form.GrantTypes"] = "client_credentials", ["Form.Scopes"] = "api",
        });
        var first = WebUtility.HtmlDecode(SecretShown().Match(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value);

        using var saved = await browser.SubmitAsync($"/admin/clients/{clientId}?handler=Save", new Dictionary<string, string>
        {
            ["Form.DisplayName"] = "Nightly reports", ["Form.GrantTypes"] = "client_credentials", ["Form.Scopes"] = "openid",
        });
        var edited = await GetPageAsync(browser, BrowserSession.LocalTarget(saved));
        using var rotated = await browser.SubmitAsync($"/admin/clients/{clientId}?handler=Rotate", new Dictionary<string, string>());
        var second = WebUtility.HtmlDecode(SecretShown().Match(await rotated.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value);
        var openid = await TokenAsync(clientId, second, "openid");
        var stale = await TokenAsync(clientId, first, "openid");
        using var deleted = await browser.SubmitAsync($"/admin/clients/{clientId}?handler=Delete", new Dictionary<string, string>());

        Assert.Contains("value=\"Nightly reports\"", edited, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(first, second);
        Assert.False(openid.IsError, openid.Raw);
        Assert.True(stale.IsError);
        Assert.Equal("/admin/clients", BrowserSession.LocalTarget(deleted));
        Assert.True((await TokenAsync(clientId, second, "openid")).IsError);
    }

    [Fact]
    public async Task BadSettingsAreShownOnThePage()
    {
        using var browser = await AdminAsync();

        using var created = await browser.SubmitAsync("/admin/clients/new", new Dictionary<string, string>
        {
            ["Form.ClientId"] = "page-" + Guid.NewGuid().ToString("N")[..10], ["Form.GrantTypes"] = "authorization_code", ["Form.RedirectUris"] = "/not-absolute",
        });
        var html = await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("redirectUris[0] must be an absolute URI", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredClientIsShownReadOnly()
    {
        using var browser = await AdminAsync();

        var html = await GetPageAsync(browser, $"/admin/clients/{IdentityServerFixture.MachineClientId}");
        // Note: the read-only page has no form; a hand-made post (with a valid antiforgery token from another form) is refused.
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(await GetPageAsync(browser, "/admin/clients/new")).Groups[1].Value);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        using var delete = await browser.Client.PostAsync(
            new Uri($"/admin/clients/{IdentityServerFixture.MachineClientId}?handler=Delete", UriKind.Relative), form, TestContext.Current.CancellationToken);

        Assert.Contains("from configuration (OpenIddict:Clients), read-only here", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"delete-client\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.False((await Fixture.RequestMachineTokenAsync(Client)).IsError);
    }

    [Fact]
    public async Task TheAuditPagesFindAUsersEvents()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await AdminAsync();

        var list = await GetPageAsync(browser, $"/admin/audit?user={user.Id}&type=user.registered");
        var id = EventLink().Match(list).Groups[1].Value;
        var one = await GetPageAsync(browser, $"/admin/audit/{id}");
        var userPage = await GetPageAsync(browser, $"/admin/users/{user.Id}");
        using var bad = await browser.Client.GetAsync(new Uri("/admin/audit?from=yesterday", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.NotEmpty(id);
        Assert.Contains("<h1 id=\"event-type\">user.registered</h1>", one, StringComparison.Ordinal);
        Assert.Contains("role user", one, StringComparison.Ordinal);
        Assert.Contains($"/admin/audit/{id}", userPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [GeneratedRegex("<code id=\"new-secret\">([^<]+)</code>")]
    private static partial Regex SecretShown();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("href=\"/admin/audit/([0-9]+)\"")]
    private static partial Regex EventLink();

    private Task<TokenResponse> TokenAsync(string clientId, string secret, string scope = "api") =>
        Client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/token").ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scope = scope,
        }, TestContext.Current.CancellationToken);

    private Task<BrowserSession> AdminAsync() => SignedInAsync(Fixture.AdminUserName, Fixture.AdminPassword);

    private Task<BrowserSession> SignedInAsync(string userName, string password) =>
        ConsoleSessions.SignedInAsync(Fixture.Host, userName, password);

    private static Task<string> GetPageAsync(BrowserSession browser, string page) => ConsoleSessions.GetPageAsync(browser, page);
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAdminClientAndAuditPagesTests(SqliteServerFixture fixture)
    : AdminClientAndAuditPagesTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlAdminClientAndAuditPagesTests(MySqlServerFixture fixture)
    : AdminClientAndAuditPagesTests(fixture), IClassFixture<MySqlServerFixture>;
