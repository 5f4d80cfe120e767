using IdentityHost.Testing;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A person in a real browser: registers on IdentityHost's page, signs in to the sample web client, sees their
/// name, calls the API and signs out; a wrong password shows the error; a third-party client asks for consent.
/// Each step leaves a screenshot under <c>artifacts/screenshots/</c>.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class WebClientSignInTests
{
    private readonly BrowserEnvironment _environment;

    public WebClientSignInTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task UserRegistersSignsInSeesTheirNameCallsTheApiAndSignsOut()
    {
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(page, "register-sign-in-api-sign-out", async () =>
        {
            var userName = IdentityServerFixture.NewUserName();

            await page.GotoAsync(_environment.WebClient.BaseAddress.ToString());
            await BrowserEnvironment.ScreenshotAsync(page, "01-web-client-signed-out");

            await page.ClickAsync("a#sign-in");
            await OnSignInPageAsync(page);
            await BrowserEnvironment.ScreenshotAsync(page, "02-identityhost-sign-in");

            await page.ClickAsync("#register-link");
            await page.Locator("button#register").WaitForAsync();
            await page.FillAsync("#username", userName);
            await page.FillAsync("#password", "a long and memorable pass phrase");
            await BrowserEnvironment.ScreenshotAsync(page, "03-identityhost-register");
            await page.ClickAsync("#register");

            await page.Locator("#user-name").WaitForAsync();
            Assert.StartsWith(_environment.WebClient.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
            Assert.Equal(userName, await page.TextContentAsync("#user-name"));
            Assert.Equal(["user"], await page.Locator("#roles li").AllTextContentsAsync());
            await BrowserEnvironment.ScreenshotAsync(page, "04-web-client-signed-in");

            await page.ClickAsync("#call-api");
            Assert.Equal("200", await page.TextContentAsync("#api-status"));
            Assert.Contains($"Welcome, {userName}!", await page.TextContentAsync("#api-body"), StringComparison.Ordinal);
            await BrowserEnvironment.ScreenshotAsync(page, "05-web-client-called-api");

            await page.GotoAsync(_environment.WebClient.BaseAddress.ToString());
            await page.ClickAsync("#sign-out");
            await page.Locator("a#sign-in").WaitForAsync();
            Assert.Equal(_environment.WebClient.BaseAddress.ToString(), page.Url);
            await BrowserEnvironment.ScreenshotAsync(page, "06-web-client-signed-out-again");

            // Note: the session at IdentityHost ended too: signing in again asks for the password.
            await page.ClickAsync("a#sign-in");
            await OnSignInPageAsync(page);
        });
    }

    [Fact]
    public async Task WrongPasswordShowsTheError()
    {
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(page, "wrong-password", async () =>
        {
            using var api = _environment.Identity.CreateClient();
            var (userName, _) = await IdentityServerFixture.CreateUserAsync(api);

            await page.GotoAsync(_environment.WebClient.BaseAddress + "signin");
            await page.FillAsync("#username", userName);
            await page.FillAsync("#password", "not the right password at all");
            await page.ClickAsync("button#sign-in");
            await page.Locator("#error").WaitForAsync();

            Assert.Equal(PasswordCheckFailure, (await page.TextContentAsync("#error"))?.Trim());
            Assert.Matches("/account/login", page.Url);
            await BrowserEnvironment.ScreenshotAsync(page, "07-identityhost-wrong-password");
        });
    }

    [Fact]
    public async Task ThirdPartyClientShowsTheConsentPageFirst()
    {
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(page, "consent", async () =>
        {
            using var api = _environment.Identity.CreateClient();
            var (userName, password) = await IdentityServerFixture.CreateUserAsync(api);

            await page.GotoAsync(_environment.ThirdPartyWebClient.BaseAddress + "signin");
            await page.FillAsync("#username", userName);
            await page.FillAsync("#password", password);
            await page.ClickAsync("button#sign-in");

            await page.Locator("#client-name").WaitForAsync();
            Assert.Contains("/account/consent", page.Url, StringComparison.Ordinal);
            Assert.Equal(BrowserEnvironment.ThirdPartyName, await page.TextContentAsync("#client-name"));
            await BrowserEnvironment.ScreenshotAsync(page, "08-identityhost-consent");

            await page.ClickAsync("#allow");
            await page.Locator("#user-name").WaitForAsync();
            Assert.StartsWith(_environment.ThirdPartyWebClient.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
            Assert.Equal(userName, await page.TextContentAsync("#user-name"));
            await BrowserEnvironment.ScreenshotAsync(page, "09-third-party-signed-in");
        });
    }

    /// <summary>Waits for IdentityHost's sign-in form (an element, not a navigation event, which redirects can race).</summary>
    private static async Task OnSignInPageAsync(Microsoft.Playwright.IPage page)
    {
        await page.Locator("#password").WaitForAsync();
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
    }

    private const string PasswordCheckFailure = IdentityServer.Accounts.PasswordCheck.Failure;
}
