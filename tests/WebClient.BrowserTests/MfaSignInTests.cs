using IdentityHost.IdentityServer.Mfa;
using IdentityHost.Testing;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A person in a real browser sets up an authenticator app on the account page (the test reads the key the page shows and
/// computes the codes, as an app would), signs in to the web client with a code after the password, and later with a
/// recovery code. Each step leaves a screenshot under <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class MfaSignInTests : IClassFixture<BrowserEnvironment>
{
    private readonly BrowserEnvironment _environment;

    public MfaSignInTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task UserSetsUpAnAuthenticatorSignsInWithItsCodeAndLaterWithARecoveryCode()
    {
        using var api = _environment.Identity.CreateClient();
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(api);
        var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');

        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        string key = string.Empty;
        var codes = new List<string>();
        await BrowserEnvironment.ScenarioAsync(page, "mfa-enrol", async () =>
        {
            await SignInWithPasswordAsync(page, user);
            await page.Locator("#user-name").WaitForAsync();

            await page.GotoAsync(identity + "/account");
            await page.ClickAsync("#two-factor-link");
            await page.Locator("#qr-code").WaitForAsync();
            Assert.Equal("off", (await page.TextContentAsync("#mfa-state .badge"))?.Trim());
            await BrowserEnvironment.ScreenshotAsync(page, "20-identityhost-set-up-authenticator");
            key = (await page.TextContentAsync("#totp-key"))!.Replace(" ", string.Empty, StringComparison.Ordinal);
            await page.FillAsync("#code", Totp.Compute(key, Totp.TimeStep(DateTimeOffset.UtcNow)));
            await page.ClickAsync("#confirm");
            await page.Locator("#recovery-codes").WaitForAsync();
            codes.AddRange((await page.Locator("#recovery-codes code").AllTextContentsAsync()).Select(code => code.Trim()));
            Assert.Equal(10, codes.Count);
            Assert.Equal("on", (await page.TextContentAsync("#mfa-state .badge"))?.Trim());
            await BrowserEnvironment.ScreenshotAsync(page, "21-identityhost-recovery-codes");
        });

        // Note: another browser, another day: the password, then the app's code. The confirmation spent the current
        // time step; the next step's code is accepted now (one step of drift), so the test need not wait for it.
        await using var later = await _environment.Browser.NewContextAsync();
        var second = await later.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(second, "mfa-sign-in", async () =>
        {
            await SignInWithPasswordAsync(second, user);
            await second.Locator("#code").WaitForAsync();
            await second.FillAsync("#code", "000000");
            await second.ClickAsync("#verify");
            await second.Locator("#error").WaitForAsync();
            await BrowserEnvironment.ScreenshotAsync(second, "22-identityhost-second-step");
            await second.FillAsync("#code", Totp.Compute(key, Totp.TimeStep(DateTimeOffset.UtcNow) + 1));
            await second.ClickAsync("#verify");
            await second.Locator("#user-name").WaitForAsync();
            Assert.Equal(user.UserName, await second.TextContentAsync("#user-name"));
            await BrowserEnvironment.ScreenshotAsync(second, "23-web-client-signed-in-with-two-factors");
        });

        // Note: the phone is lost: a recovery code instead, once; the user is told by mail.
        await using var lost = await _environment.Browser.NewContextAsync();
        var third = await lost.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(third, "mfa-recovery-code", async () =>
        {
            await SignInWithPasswordAsync(third, user);
            await third.Locator("#code").WaitForAsync();
            await third.FillAsync("#code", codes[0]);
            await third.ClickAsync("#verify");
            await third.Locator("#user-name").WaitForAsync();
            Assert.Equal(user.UserName, await third.TextContentAsync("#user-name"));
        });
        var mails = await _environment.Mail.WaitForAsync(user.Email, count: 3);
        Assert.Contains(mails, mail => mail.Subject == "A recovery code was used");

        await using var again = await _environment.Browser.NewContextAsync();
        var fourth = await again.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(fourth, "mfa-recovery-code-reused", async () =>
        {
            await SignInWithPasswordAsync(fourth, user);
            await fourth.Locator("#code").WaitForAsync();
            await fourth.FillAsync("#code", codes[0]);
            await fourth.ClickAsync("#verify");
            await fourth.Locator("#error").WaitForAsync();
            Assert.Equal("The code is not valid.", (await fourth.TextContentAsync("#error"))?.Trim());
        });
    }

    private async Task SignInWithPasswordAsync(IPage page, RegisteredUser user)
    {
        await page.GotoAsync(_environment.WebClient.BaseAddress + "signin");
        await page.FillAsync("#username", user.UserName);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("button#sign-in");
    }
}
