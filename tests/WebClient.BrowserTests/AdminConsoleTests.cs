using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// An administrator in a real browser: signs in on the server's page, opens the dashboard, finds users by a prefix,
/// creates one (who gets a set-password link by mail), opens them and ends their sessions. Screenshots 17 to 21.
/// </summary>
public sealed class AdminConsoleTests : IClassFixture<BrowserEnvironment>
{
    private static readonly string[] Suffixes = ["-ann", "-bob", "-cho"];
    private readonly BrowserEnvironment _environment;

    public AdminConsoleTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task AdministratorUsesTheDashboardFindsCreatesAndManagesAUser()
    {
        await using var context = await _environment.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        // Note: the browser reports what the Content-Security-Policy blocked (an inline style, a script) on the console.
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(message.Text);
            }
        };
        await BrowserEnvironment.ScenarioAsync(page, "admin-console", async () =>
        {
            var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');
            var tag = "team" + Guid.NewGuid().ToString("N")[..6];
            using var client = _environment.Identity.CreateClient();
            foreach (var suffix in Suffixes)
            {
                await IdentityServerFixture.CreateUserWithEmailAsync(client, $"{tag}{suffix}@mail.test.example");
            }

            // Note: some traffic for the charts: a failed and a good sign-in by the password grant.
            Assert.Equal("invalid_grant", (await PasswordGrantAsync(client, identity, BrowserEnvironment.AdminUserName, "a wrong password here")).Error);

            await page.GotoAsync(identity + "/admin");
            await page.FillAsync("#username", BrowserEnvironment.AdminUserName);
            await page.FillAsync("#password", _environment.AdminPassword);
            await page.ClickAsync("button#sign-in");
            await page.Locator("#health-database").WaitForAsync();
            Assert.Equal(3, await page.Locator("svg.chart").CountAsync());
            Assert.Equal("1", await page.TextContentAsync("#total-failures"));
            await BrowserEnvironment.ScreenshotAsync(page, "17-admin-dashboard");

            await page.ClickAsync("header >> text=Users");
            await page.FillAsync("#search", tag.ToUpperInvariant());
            await page.ClickAsync("form[role=search] button");
            await page.Locator("#users").WaitForAsync();
            Assert.Equal(3, await page.Locator("#users tbody tr").CountAsync());
            await BrowserEnvironment.ScreenshotAsync(page, "18-admin-users-search");

            await page.ClickAsync("#create-user");
            var newName = tag + "-dee";
            var newEmail = tag + "-dee@mail.test.example";
            await page.FillAsync("#UserName", newName);
            await page.FillAsync("#Email", newEmail);
            await page.CheckAsync("#role-user");
            await BrowserEnvironment.ScreenshotAsync(page, "19-admin-create-user");
            await page.ClickAsync("#create");
            await page.Locator("#status").WaitForAsync();
            Assert.Equal(newName, await page.TextContentAsync("#user-name"));
            Assert.Equal("Reset your password", (await _environment.Mail.LastToAsync(newEmail)).Subject);

            // Note: the new user sets a password from the mail and signs in by the password grant: a session to end.
            var link = SmtpCatcher.LinkIn(await _environment.Mail.LastToAsync(newEmail), "/account/reset-password");
            await using var userContext = await _environment.Browser.NewContextAsync();
            var userPage = await userContext.NewPageAsync();
            await userPage.GotoAsync(link.ToString());
            await userPage.FillAsync("#new-password", "the new user's own pass phrase");
            await userPage.ClickAsync("#reset");
            await userPage.Locator("#done").WaitForAsync();
            var login = await PasswordGrantAsync(client, identity, newName, "the new user's own pass phrase");
            Assert.False(login.IsError, login.Raw);

            await page.ReloadAsync();
            await page.Locator("#sessions").WaitForAsync();
            await BrowserEnvironment.ScreenshotAsync(page, "20-admin-user");
            await page.ClickAsync("#end-sessions");
            await page.Locator("#no-sessions").WaitForAsync();
            Assert.Contains("1 session was ended.", await page.TextContentAsync("#status"), StringComparison.Ordinal);
            var refreshed = await client.RequestRefreshTokenAsync(new RefreshTokenRequest
            {
                Address = identity + "/connect/token", ClientId = IdentityServerFixture.ClientId, RefreshToken = login.RefreshToken!,
            });
            Assert.Equal("invalid_grant", refreshed.Error);
            await BrowserEnvironment.ScreenshotAsync(page, "21-admin-user-sessions-ended");
        });
        Assert.Empty(blocked);
    }

    private static Task<TokenResponse> PasswordGrantAsync(HttpClient client, string identity, string userName, string password) =>
        client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = identity + "/connect/token", ClientId = IdentityServerFixture.ClientId, UserName = userName, Password = password,
            Scope = IdentityServerFixture.AllScopes,
        });
}
