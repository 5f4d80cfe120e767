using System.Text.RegularExpressions;
using IdentityHost.Testing;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A person in a real browser: registers on IdentityHost's page, signs in to the sample web client, sees their
/// name, calls the API and signs out; a wrong password shows the error; a third-party client asks for consent.
/// Each step leaves a screenshot under <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class WebClientSignInTests : IClassFixture<BrowserEnvironment>
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

            await page.ClickAsync("#sign-in");
            await page.WaitForURLAsync(new Regex("/account/login"));
            await BrowserEnvironment.ScreenshotAsync(page, "02-identityhost-sign-in");

            await page.ClickAsync("#register-link");
            await page.FillAsync("#username", userName);
            await page.FillAsync("#password", "a long and memorable pass phrase");
            await BrowserEnvironment.ScreenshotAsync(page, "03-identityhost-register");
            await page.ClickAsync("#register");

            await page.WaitForURLAsync(_environment.WebClient.BaseAddress.ToString());
            Assert.Equal(userName, await page.TextContentAsync("#user-name"));
            Assert.Equal(["user"], await page.Locator("#roles li").AllTextContentsAsync());
            await BrowserEnvironment.ScreenshotAsync(page, "04-web-client-signed-in");

            await page.ClickAsync("#call-api");
            Assert.Equal("200", await page.TextContentAsync("#api-status"));
            Assert.Contains($"Welcome, {userName}!", await page.TextContentAsync("#api-body"), StringComparison.Ordinal);
            await BrowserEnvironment.ScreenshotAsync(page, "05-web-client-called-api");

            await page.GotoAsync(_environment.WebClient.BaseAddress.ToString());
            await page.ClickAsync("#sign-out");
            await page.WaitForURLAsync(_environment.WebClient.BaseAddress.ToString());
            Assert.True(await page.Locator("#sign-in").IsVisibleAsync());
            await BrowserEnvironment.ScreenshotAsync(page, "06-web-client-signed-out-again");

            // Note: the session at IdentityHost ended too: signing in again asks for the password.
            await page.ClickAsync("#sign-in");
            await page.WaitForURLAsync(new Regex("/account/login"));
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
            await page.ClickAsync("#sign-in");

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
            await page.ClickAsync("#sign-in");

            await page.WaitForURLAsync(new Regex("/account/consent"));
            Assert.Equal(BrowserEnvironment.ThirdPartyName, await page.TextContentAsync("#client-name"));
            await BrowserEnvironment.ScreenshotAsync(page, "08-identityhost-consent");

            await page.ClickAsync("#allow");
            await page.WaitForURLAsync(_environment.ThirdPartyWebClient.BaseAddress.ToString());
            Assert.Equal(userName, await page.TextContentAsync("#user-name"));
            await BrowserEnvironment.ScreenshotAsync(page, "09-third-party-signed-in");
        });
    }

    private const string PasswordCheckFailure = IdentityServer.Accounts.PasswordCheck.Failure;
}
