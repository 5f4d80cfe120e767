using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A person in a real browser: registers with an email address, confirms it from the mail, forgets the password, resets
/// it from the mail, signs in with the new one, sees their sessions on the account page and signs another one out. Each
/// step leaves a screenshot under <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class AccountRecoveryTests : IClassFixture<BrowserEnvironment>
{
    private const string FirstPassword = "a long and memorable pass phrase";
    private const string NewPassword = "an even longer and newer pass phrase";
    private readonly BrowserEnvironment _environment;

    public AccountRecoveryTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task UserVerifiesTheAddressResetsAForgottenPasswordAndSignsOutAnotherSession()
    {
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserEnvironment.ScenarioAsync(page, "account-recovery", async () =>
        {
            var userName = IdentityServerFixture.NewUserName();
            var email = IdentityServerFixture.NewEmail();
            var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');

            await page.GotoAsync(_environment.WebClient.BaseAddress + "signin");
            await page.ClickAsync("#register-link");
            await page.Locator("button#register").WaitForAsync();
            await page.FillAsync("#username", userName);
            await page.FillAsync("#email", email);
            await page.FillAsync("#password", FirstPassword);
            await BrowserEnvironment.ScreenshotAsync(page, "10-identityhost-register-with-email");
            await page.ClickAsync("#register");
            await page.Locator("#user-name").WaitForAsync();

            var verification = await _environment.Mail.LastToAsync(email);
            await page.GotoAsync(SmtpCatcher.LinkIn(verification, "/account/verify-email").ToString());
            await BrowserEnvironment.ScreenshotAsync(page, "11-identityhost-confirm-email");
            await page.ClickAsync("#verify");
            await page.Locator("#verified").WaitForAsync();

            // Note: a new browser, as on another day: the user has forgotten the password.
            await using var later = await _environment.Browser.NewContextAsync();
            var forgetful = await later.NewPageAsync();
            await forgetful.GotoAsync(_environment.WebClient.BaseAddress + "signin");
            await forgetful.ClickAsync("#forgot-link");
            await forgetful.FillAsync("#username-or-email", email);
            await BrowserEnvironment.ScreenshotAsync(forgetful, "12-identityhost-forgot-password");
            await forgetful.ClickAsync("#send");
            await forgetful.Locator("#sent").WaitForAsync();
            await BrowserEnvironment.ScreenshotAsync(forgetful, "13-identityhost-reset-link-sent");

            var reset = await _environment.Mail.LastToAsync(email, count: 2);
            Assert.Equal("Reset your password", reset.Subject);
            await forgetful.GotoAsync(SmtpCatcher.LinkIn(reset, "/account/reset-password").ToString());
            await forgetful.FillAsync("#new-password", NewPassword);
            await BrowserEnvironment.ScreenshotAsync(forgetful, "14-identityhost-choose-new-password");
            await forgetful.ClickAsync("#reset");
            await forgetful.Locator("#done").WaitForAsync();
            Assert.Equal("Your password was changed", (await _environment.Mail.LastToAsync(email, count: 3)).Subject);

            await forgetful.GotoAsync(_environment.WebClient.BaseAddress + "signin");
            await forgetful.FillAsync("#username", userName);
            await forgetful.FillAsync("#password", NewPassword);
            await forgetful.ClickAsync("button#sign-in");
            await forgetful.Locator("#user-name").WaitForAsync();
            Assert.Equal(userName, await forgetful.TextContentAsync("#user-name"));

            // Note: a second login, from a phone app using the password grant, to sign out from the account page.
            using var phone = _environment.Identity.CreateClient();
            phone.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36");
            var phoneLogin = await phone.RequestPasswordTokenAsync(new PasswordTokenRequest
            {
                Address = identity + "/connect/token", ClientId = IdentityServerFixture.ClientId, UserName = userName, Password = NewPassword,
                Scope = IdentityServerFixture.AllScopes,
            });
            Assert.False(phoneLogin.IsError, phoneLogin.Error);

            await forgetful.GotoAsync(identity + "/account");
            await forgetful.Locator("#sessions").WaitForAsync();
            Assert.Equal("confirmed", (await forgetful.TextContentAsync("#email-state"))?.Trim());
            Assert.Equal(3, await forgetful.Locator("#sessions tr.session").CountAsync());
            await BrowserEnvironment.ScreenshotAsync(forgetful, "15-identityhost-account-sessions");

            await forgetful.Locator("#sessions tr.session", new PageLocatorOptions { HasText = "Android" })
                .Locator("button.end-session").ClickAsync();
            await forgetful.Locator("#status").WaitForAsync();
            Assert.Equal(2, await forgetful.Locator("#sessions tr.session").CountAsync());
            await BrowserEnvironment.ScreenshotAsync(forgetful, "16-identityhost-signed-out-other-session");
            var refresh = await phone.RequestRefreshTokenAsync(new RefreshTokenRequest
            {
                Address = identity + "/connect/token", ClientId = IdentityServerFixture.ClientId, RefreshToken = phoneLogin.RefreshToken!,
            });
            Assert.Equal("invalid_grant", refresh.Error);
        });
    }
}
