using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Profile;

/// <summary>The account page (<c>/account</c>) and the account's own JSON: profile, password, sessions, deletion, data download.</summary>
public abstract partial class AccountPageTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task AccountPageNeedsASignedInSession()
    {
        using var browser = new BrowserSession(Fixture.Host);

        using var page = await browser.Client.GetAsync(new Uri(RouteNames.AccountPage, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith(RouteNames.LoginPage, BrowserSession.LocalTarget(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountPageShowsTheProfileAndSessionsAndSignsOneOut()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await SignedInAsync(user);
        var app = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);

        var html = await PageAsync(browser);
        Assert.Contains(user.UserName, html, StringComparison.Ordinal);
        Assert.Contains(user.Email, html, StringComparison.Ordinal);
        Assert.Contains("not confirmed", html, StringComparison.Ordinal);
        var sessionId = SessionIdInput().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(sessionId));
        using var ended = await browser.SubmitAsync(RouteNames.AccountPage + "?handler=EndSession", new Dictionary<string, string> { ["SessionId"] = sessionId });

        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, app.RefreshToken!)).Error);
        Assert.Contains("The session was signed out.", await PageAsync(browser), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingThePasswordOnThePageKeepsThisBrowserAndEndsTheRest()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await SignedInAsync(user);
        using var elsewhere = await SignedInAsync(user);
        var app = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);

        using var changed = await browser.SubmitAsync(RouteNames.AccountPage + "?handler=Password", new Dictionary<string, string>
        {
            ["CurrentPassword"] = user.Password,
            ["NewPassword"] = "a fresh pass phrase from the page",
        });

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Contains("Your password was changed", await PageAsync(browser), StringComparison.Ordinal);
        using var other = await elsewhere.Client.GetAsync(new Uri(RouteNames.AccountPage, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, app.RefreshToken!)).Error);
        Assert.Equal("Your password was changed", (await Fixture.Mail.LastToAsync(user.Email, count: 2)).Subject);
    }

    [Fact]
    public async Task TheApiChangesThePasswordAndTellsTheUserByMail()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);

        using var changed = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password",
            new { currentPassword = user.Password, newPassword = "another long pass phrase" }, token);

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal("Your password was changed", (await Fixture.Mail.LastToAsync(user.Email, count: 2)).Subject);
    }

    [Fact]
    public async Task DeletingTheAccountNeedsThePasswordAndRemovesEverything()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);
        // Note: deleting the account drops its mail still waiting in the outbox, so the verification mail is let out first.
        await Fixture.Mail.WaitForAsync(user.Email);

        using var wrong = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, "/api/account", new { password = "not my password at all" }, login.AccessToken);
        using var deleted = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Delete, "/api/account", new { password = user.Password }, login.AccessToken);

        Assert.Equal(["password"], Problem.ErrorFields(await Problem.ReadAsync(wrong, HttpStatusCode.BadRequest)));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, login.RefreshToken!)).Error);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password)).Error);
        Assert.Equal("Your account was deleted", (await Fixture.Mail.LastToAsync(user.Email, count: 2)).Subject);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("user.deleted", StringComparison.Ordinal) && line.Contains(user.Id, StringComparison.Ordinal));
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        Assert.False(database.Users.Any(row => row.Id == user.Id));
        Assert.False(database.UserTokens.Any(row => row.UserId == user.Id));
        Assert.False(database.UserSessions.Any(row => row.UserId == user.Id));
        Assert.False(database.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>().Any(row => row.Subject == user.Id));
    }

    [Fact]
    public async Task DeletingTheAccountOnThePageSignsOut()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await SignedInAsync(user);

        using var deleted = await browser.SubmitAsync(RouteNames.AccountPage + "?handler=Delete", new Dictionary<string, string> { ["CurrentPassword"] = user.Password });

        Assert.Equal("/?deleted=1", BrowserSession.LocalTarget(deleted));
        Assert.Equal(0, await CountUsersNamedAsync(user.UserName));
    }

    [Fact]
    public async Task DownloadingTheDataGivesTheAccountAndItsSessionsButNoSecrets()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        using var browser = await SignedInAsync(user);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account/export");
        request.SetBearerToken(token);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var download = await browser.Client.GetAsync(new Uri(RouteNames.AccountPage + "?handler=Export", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? response.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        var data = JsonDocument.Parse(text).RootElement;
        Assert.Equal(user.UserName, data.GetProperty("account").GetProperty("username").GetString());
        Assert.Equal(user.Email, data.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal(1, data.GetProperty("sessions").GetArrayLength());
        Assert.DoesNotContain("passwordHash", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securityStamp", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("application/json", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(user.UserName, (await download.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
            .GetProperty("account").GetProperty("username").GetString());
    }

    [Fact]
    public async Task AccountPageFormsCarryAntiforgeryTokensAndLabels()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = await SignedInAsync(user);

        var html = await PageAsync(browser);
        using var withoutToken = new FormUrlEncodedContent(new Dictionary<string, string> { ["CurrentPassword"] = user.Password });
        using var forged = await browser.Client.PostAsync(new Uri(RouteNames.AccountPage + "?handler=Delete", UriKind.Relative), withoutToken, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(1, await CountUsersNamedAsync(user.UserName));
        var forms = Regex.Count(html, "<form ");
        Assert.Equal(forms, Regex.Count(html, "__RequestVerificationToken"));
        foreach (Match input in Regex.Matches(html, "<input (?![^>]*type=\"hidden\")[^>]*id=\"([^\"]+)\""))
        {
            Assert.Contains($"<label for=\"{input.Groups[1].Value}\"", html, StringComparison.Ordinal);
        }
    }

    private async Task<BrowserSession> SignedInAsync(RegisteredUser user)
    {
        var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(user.UserName, user.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    private static async Task<string> PageAsync(BrowserSession browser)
    {
        using var page = await browser.Client.GetAsync(new Uri(RouteNames.AccountPage, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private async Task<int> CountUsersNamedAsync(string userName)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var normalized = userName.ToUpperInvariant();
        return database.Users.Count(row => row.NormalizedUserName == normalized);
    }

    [GeneratedRegex("name=\"SessionId\" value=\"([^\"]+)\"")]
    private static partial Regex SessionIdInput();
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAccountPageTests(SqliteServerFixture fixture) : AccountPageTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlAccountPageTests(MySqlServerFixture fixture) : AccountPageTests(fixture), IClassFixture<MySqlServerFixture>;
