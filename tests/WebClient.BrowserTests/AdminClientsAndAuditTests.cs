using Duende.IdentityModel.Client;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// An administrator in a real browser manages a client (creates it, copies the secret shown once, uses it, gives it a
/// new secret) and finds what they did in the audit log. Screenshots 22 to 26.
/// </summary>
public sealed class AdminClientsAndAuditTests : IClassFixture<BrowserEnvironment>
{
    private readonly BrowserEnvironment _environment;

    public AdminClientsAndAuditTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task AdministratorCreatesAClientRotatesItsSecretAndFindsBothInTheAuditLog()
    {
        await using var context = await _environment.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(message.Text);
            }
        };
        await BrowserEnvironment.ScenarioAsync(page, "admin-clients-audit", async () =>
        {
            var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');
            var clientId = "reports-" + Guid.NewGuid().ToString("N")[..6];
            using var http = _environment.Identity.CreateClient();

            await page.GotoAsync(identity + "/admin/clients");
            await page.FillAsync("#username", BrowserEnvironment.AdminUserName);
            await page.FillAsync("#password", _environment.AdminPassword);
            await page.ClickAsync("button#sign-in");
            await page.Locator("#clients").WaitForAsync();
            Assert.Contains("from configuration", await page.TextContentAsync("#clients"), StringComparison.Ordinal);
            await BrowserEnvironment.ScreenshotAsync(page, "22-admin-clients");

            await page.ClickAsync("#create-client");
            await page.FillAsync("#ClientId", clientId);
            await page.FillAsync("#DisplayName", "Nightly reports");
            await page.CheckAsync("#Confidential");
            await page.CheckAsync("#grant-client_credentials");
            await page.CheckAsync("#scope-api");
            await BrowserEnvironment.ScreenshotAsync(page, "23-admin-create-client");
            await page.ClickAsync("#create");
            var secret = (await page.TextContentAsync("#new-secret"))!;
            await BrowserEnvironment.ScreenshotAsync(page, "24-admin-client-secret-shown-once");
            Assert.False((await TokenAsync(http, identity, clientId, secret)).IsError);

            await page.ClickAsync("#created-link");
            Assert.Equal(0, await page.Locator("#new-secret").CountAsync());
            await page.ClickAsync("#rotate-secret");
            var rotated = (await page.TextContentAsync("#new-secret"))!;
            Assert.NotEqual(secret, rotated);
            Assert.False((await TokenAsync(http, identity, clientId, rotated)).IsError);
            Assert.True((await TokenAsync(http, identity, clientId, secret)).IsError);

            await page.ClickAsync("header >> text=Audit log");
            await page.FillAsync("#client", clientId);
            await page.ClickAsync("#search");
            await page.Locator("#events").WaitForAsync();
            var types = await page.Locator("#events tbody tr td:nth-child(2)").AllTextContentsAsync();
            Assert.Equal(["client.secret_rotated", "client.created"], types);
            await BrowserEnvironment.ScreenshotAsync(page, "25-admin-audit-search");

            await page.ClickAsync("#events tbody tr:first-child a");
            await page.Locator("#event").WaitForAsync();
            Assert.Equal("client.secret_rotated", await page.TextContentAsync("#event-type"));
            await BrowserEnvironment.ScreenshotAsync(page, "26-admin-audit-event");
        });
        Assert.Empty(blocked);
    }

    private static Task<TokenResponse> TokenAsync(HttpClient client, string identity, string clientId, string secret) =>
        client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = identity + "/connect/token", ClientId = clientId, ClientSecret = secret, Scope = "api",
        });
}
