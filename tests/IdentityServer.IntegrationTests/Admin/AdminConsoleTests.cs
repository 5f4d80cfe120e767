using System.Net;
using System.Text.Json;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Admin;

/// <summary>
/// The admin console's pages (<c>/admin</c>): who may open them, that every form needs its antiforgery token, and that
/// the actions do what the API's do.
/// </summary>
public abstract class AdminConsoleTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    public static readonly TheoryData<string> Pages = new() { "/admin", "/admin/users", "/admin/users/new", "/admin/users/{id}", "/admin/users/{id}/delete" };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task AnonymousVisitorsAreSentToSignIn(string page)
    {
        using var browser = new BrowserSession(Fixture.Host);

        using var response = await browser.Client.GetAsync(new Uri(await PathAsync(page), UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(RouteNames.LoginPage + "?ReturnUrl=%2Fadmin", BrowserSession.LocalTarget(response), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task SignedInUsersWithoutTheAdminRoleAreForbidden(string page)
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await SignedInAsync(user.UserName, user.Password);

        using var response = await browser.Client.GetAsync(new Uri(await PathAsync(page), UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("does not have the admin role", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdministratorsTokenDoesNotOpenTheConsole()
    {
        var token = await Fixture.GetAccessTokenAsync(Client, admin: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var browser = new BrowserSession(Fixture.Host);

        using var response = await browser.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task TheDashboardDrawsChartsWithoutScriptAndShowsHealth()
    {
        await IdentityServerFixture.RequestPasswordTokenAsync(Client, Fixture.AdminUserName, "not the password at all");
        using var browser = await AdminAsync();

        using var response = await browser.Client.GetAsync(new Uri("/admin", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(html, "<svg class=\"chart\""));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("script-src", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Matches("id=\"total-failures\">[1-9]", html);
        Assert.Matches("id=\"total-sign-ins\">[1-9]", html);
        Assert.Contains("<div class=\"figure\">up</div>", html, StringComparison.Ordinal);
        Assert.Contains("this node", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUsersListFindsAUserByAddressPrefix()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await AdminAsync();

        var html = await GetPageAsync(browser, "/admin/users?search=" + Uri.EscapeDataString(user.Email[..20].ToUpperInvariant()));

        Assert.Contains($"href=\"/admin/users/{user.Id}\">{user.UserName}</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormsNeedTheirAntiforgeryToken()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await AdminAsync();
        await GetPageAsync(browser, $"/admin/users/{user.Id}");

        foreach (var target in new[] { $"/admin/users/{user.Id}?handler=Disable", $"/admin/users/{user.Id}/delete", "/admin/users/new" })
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "forged", ["Email"] = "forged@mail.test.example" });
            using var response = await browser.Client.PostAsync(new Uri(target, UriKind.Relative), form, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Contains("<span id=\"user-state\" class=\"badge active\">active</span>", await GetPageAsync(browser, $"/admin/users/{user.Id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisablingOnThePageEndsTheUsersSessionsAndIsAudited()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);
        using var browser = await AdminAsync();

        using var disabled = await browser.SubmitAsync($"/admin/users/{user.Id}?handler=Disable", new Dictionary<string, string>());
        var html = await GetPageAsync(browser, $"/admin/users/{user.Id}");

        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        Assert.Contains("The account was disabled", html, StringComparison.Ordinal);
        Assert.Contains("class=\"badge disabled\">disabled</span>", html, StringComparison.Ordinal);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, login.RefreshToken!)).Error);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("user.disabled", StringComparison.Ordinal) &&
                                                        line.Contains(user.Id, StringComparison.Ordinal) &&
                                                        line.Contains("by administrator ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdministratorCreatesAUserWhoSetsTheirOwnPassword()
    {
        var (name, address) = (IdentityServerFixture.NewUserName(), IdentityServerFixture.NewEmail());
        using var browser = await AdminAsync();

        using var created = await browser.SubmitAsync("/admin/users/new", new Dictionary<string, string>
        {
            ["UserName"] = name,
            ["Email"] = address,
            ["SelectedRoles"] = "user",
        });
        var page = BrowserSession.LocalTarget(created);
        var html = await GetPageAsync(browser, page);
        var mail = await Fixture.Mail.LastToAsync(address);

        Assert.StartsWith("/admin/users/", page, StringComparison.Ordinal);
        Assert.Contains($"<h1 id=\"user-name\">{name}</h1>", html, StringComparison.Ordinal);
        Assert.Contains("a link to set the password was sent", html, StringComparison.Ordinal);
        Assert.Equal("Reset your password", mail.Subject);
    }

    [Fact]
    public async Task CreatingATakenNameShowsTheErrorOnThePage()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await AdminAsync();

        using var created = await browser.SubmitAsync("/admin/users/new", new Dictionary<string, string>
        {
            ["UserName"] = user.UserName,
            ["Email"] = IdentityServerFixture.NewEmail(),
            ["SelectedRoles"] = "user",
        });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("already exists", await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingNeedsTheConfirmationPage()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await AdminAsync();

        var confirmation = await GetPageAsync(browser, $"/admin/users/{user.Id}/delete");
        using var deleted = await browser.SubmitAsync($"/admin/users/{user.Id}/delete", new Dictionary<string, string>());

        Assert.Contains("This cannot be undone", confirmation, StringComparison.Ordinal);
        Assert.Equal("/admin/users", BrowserSession.LocalTarget(deleted));
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        Assert.False(scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Users.Any(row => row.Id == user.Id));
    }

    [Fact]
    public async Task ADemotedAdministratorLosesTheConsoleAtOnce()
    {
        var (name, address, password) = (IdentityServerFixture.NewUserName(), IdentityServerFixture.NewEmail(), "an administrator's own pass phrase");
        var token = await Fixture.GetAccessTokenAsync(Client, admin: true);
        using var created = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/users",
            new Dictionary<string, object> { ["username"] = name, ["email"] = address, ["roles"] = AdminRole }, token);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("id").GetString()!;
        using var set = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password/reset",
            new { token = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(address), RouteNames.ResetPasswordPage), newPassword = password });
        using var browser = await SignedInAsync(name, password);
        using var before = await browser.Client.GetAsync(new Uri("/admin", UriKind.Relative), TestContext.Current.CancellationToken);

        using var demoted = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Put, $"/api/users/{id}/roles", new { roles = UserRole }, token);
        using var after = await browser.Client.GetAsync(new Uri("/admin", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    private static readonly string[] AdminRole = ["user", "admin"];

    private static readonly string[] UserRole = ["user"];

    private async Task<string> PathAsync(string page)
    {
        if (!page.Contains("{id}", StringComparison.Ordinal))
        {
            return page;
        }

        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        return page.Replace("{id}", user.Id, StringComparison.Ordinal);
    }

    private Task<BrowserSession> AdminAsync() => SignedInAsync(Fixture.AdminUserName, Fixture.AdminPassword);

    private Task<BrowserSession> SignedInAsync(string userName, string password) =>
        ConsoleSessions.SignedInAsync(Fixture.Host, userName, password);

    private static Task<string> GetPageAsync(BrowserSession browser, string page) => ConsoleSessions.GetPageAsync(browser, page);
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAdminConsoleTests(SqliteServerFixture fixture)
    : AdminConsoleTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlAdminConsoleTests(MySqlServerFixture fixture)
    : AdminConsoleTests(fixture), IClassFixture<MySqlServerFixture>;
