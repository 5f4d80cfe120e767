using IdentityHost.Testing;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A single-page app on another origin signs its user in through IdentityHost and calls it with <c>fetch</c> only:
/// discovery, the code exchange with PKCE, userinfo, refresh and revocation all cross origins (CORS).
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class SinglePageAppTests
{
    private readonly BrowserEnvironment _environment;

    public SinglePageAppTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task SinglePageAppOnAnotherOriginSignsInRefreshesAndRevokesWithFetch()
    {
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(page, "single-page-app", async () =>
        {
            using var api = _environment.Identity.CreateClient();
            var (userName, password) = await IdentityServerFixture.CreateUserAsync(api);

            await page.GotoAsync(_environment.Spa.BaseAddress.ToString());
            await page.Locator("#status:text('ready')").WaitForAsync();
            Assert.StartsWith("ok", await page.TextContentAsync("#discovery"), StringComparison.Ordinal);

            await page.ClickAsync("#sign-in");
            await page.Locator("#password").WaitForAsync();
            Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
            await page.FillAsync("#username", userName);
            await page.FillAsync("#password", password);
            await page.ClickAsync("button#sign-in");

            await page.Locator("#status:text('done'), #status.failed").First.WaitForAsync();
            Assert.StartsWith(_environment.Spa.RedirectUri.ToString(), page.Url, StringComparison.Ordinal);
            Assert.Equal("done", await page.TextContentAsync("#status"));
            Assert.StartsWith("ok", await page.TextContentAsync("#callback"), StringComparison.Ordinal);
            Assert.StartsWith("ok: Bearer access token, refresh token issued", await page.TextContentAsync("#token"), StringComparison.Ordinal);
            Assert.Equal(userName, await page.TextContentAsync("#userinfo"));
            Assert.StartsWith("ok", await page.TextContentAsync("#refresh"), StringComparison.Ordinal);
            Assert.Equal("ok: 200", await page.TextContentAsync("#revoke"));
            Assert.Equal("400 invalid_grant", await page.TextContentAsync("#after-revoke"));
            await BrowserEnvironment.ScreenshotAsync(page, "10-single-page-app-signed-in-with-fetch");
        });
    }
}
