using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A person in a real browser with a passkey: Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain,
/// a platform authenticator with user verification) stands in for the device's. They register a passkey on the account
/// page, sign in to the web client with it alone (no user name), and, after someone who knows the password has locked the
/// authenticator codes with wrong guesses, still sign in with the passkey; once the account is disabled, the passkey no
/// longer signs in. The web client shows the ID token's amr. Each
/// step leaves a screenshot under <c>artifacts/screenshots/</c>, and no page may have had anything blocked by its CSP.
/// </summary>
public sealed class PasskeySignInTests : IClassFixture<BrowserEnvironment>
{
    private readonly BrowserEnvironment _environment;

    public PasskeySignInTests(BrowserEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Assert.SkipWhen(environment.SkipReason is not null, environment.SkipReason ?? string.Empty);
        _environment = environment;
    }

    [Fact]
    public async Task UserRegistersAPasskeySignsInWithItAloneAndStillCanWhileCodesAreLocked()
    {
        using var api = _environment.Identity.CreateClient();
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(api);
        var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');

        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var blocked = ListenForBlockedContent(page);
        // Note: Chromium's virtual authenticator, a platform one with user verification; its passkeys are device-bound.
        await AddAuthenticatorAsync(context, page, backupEligible: false);

        await BrowserEnvironment.ScenarioAsync(page, "passkey-register", async () =>
        {
            await SignInWithPasswordAsync(page, user);
            await page.Locator("#user-name").WaitForAsync();
            Assert.Equal("pwd", await page.TextContentAsync("#amr"));

            await page.GotoAsync(identity + "/account/two-factor");
            await page.ClickAsync("#passkeys-link");
            await page.Locator("#no-passkeys").WaitForAsync();
            await page.FillAsync("#passkey-name", "Work laptop");
            await page.ClickAsync("#add-passkey");
            await page.Locator("#status").WaitForAsync();
            Assert.Equal(["Work laptop"], await page.Locator("#passkeys input.passkey-name").EvaluateAllAsync<string[]>("inputs => inputs.map(input => input.value)"));
            Assert.Equal("this device only", (await page.TextContentAsync("#passkeys td.kind"))?.Trim());
            await BrowserEnvironment.ScreenshotAsync(page, "27-identityhost-passkeys");
        });
        var mails = await _environment.Mail.WaitForAsync(user.Email, count: 2);
        Assert.Contains(mails, mail => mail.Subject == "Your sign-in factors changed" && (mail.TextBody ?? string.Empty).Contains("Work laptop", StringComparison.Ordinal));

        // Note: signing out of the web client ends the IdentityHost session too, so the next sign-in starts from nothing.
        await BrowserEnvironment.ScenarioAsync(page, "passkey-sign-in", async () =>
        {
            await SignOutAsync(page);
            await page.ClickAsync("a#sign-in");
            await page.Locator("#passkey-sign-in").WaitForAsync();
            await BrowserEnvironment.ScreenshotAsync(page, "28-identityhost-sign-in-with-a-passkey");
            await page.ClickAsync("#passkey-sign-in");
            await page.Locator("#user-name").WaitForAsync();
            Assert.Equal(user.UserName, await page.TextContentAsync("#user-name"));
            Assert.Equal("hwk mfa", await page.TextContentAsync("#amr"));
            await BrowserEnvironment.ScreenshotAsync(page, "29-web-client-signed-in-with-a-passkey");
        });

        // Note: the user also has an authenticator app; someone with the password then locks its codes.
        await BrowserEnvironment.ScenarioAsync(page, "passkey-while-codes-locked", async () =>
        {
            await page.GotoAsync(identity + "/account/two-factor");
            var key = (await page.TextContentAsync("#totp-key"))!.Replace(" ", string.Empty, StringComparison.Ordinal);
            await page.FillAsync("#code", Totp.Compute(key, Totp.TimeStep(DateTimeOffset.UtcNow)));
            await page.ClickAsync("#confirm");
            await page.Locator("#recovery-codes").WaitForAsync();
            await SignOutAsync(page);

            await using var attacker = await _environment.Browser.NewContextAsync();
            var theirs = await attacker.NewPageAsync();
            await SignInWithPasswordAsync(theirs, user);
            await theirs.Locator("#code").WaitForAsync();
            for (var attempt = 0; attempt < 6; attempt++)
            {
                await theirs.FillAsync("#code", "000000");
                await theirs.ClickAsync("#verify");
                await theirs.Locator("#error").WaitForAsync();
            }

            Assert.Contains("locked", await theirs.TextContentAsync("#error"), StringComparison.Ordinal);

            // The owner, with the password and the passkey: the codes are locked, the passkey is not.
            await SignInWithPasswordAsync(page, user);
            await page.Locator("#code").WaitForAsync();
            await page.FillAsync("#code", Totp.Compute(key, Totp.TimeStep(DateTimeOffset.UtcNow) + 1));
            await page.ClickAsync("#verify");
            await page.Locator("#error").WaitForAsync();
            Assert.Contains("You can still use your passkey", await page.TextContentAsync("#error"), StringComparison.Ordinal);
            await BrowserEnvironment.ScreenshotAsync(page, "30-identityhost-codes-locked-passkey-offered");
            await page.ClickAsync("#passkey-verify");
            await page.Locator("#user-name").WaitForAsync();
            Assert.Equal("hwk mfa pwd", await page.TextContentAsync("#amr"));

            // And without the password at all, the same.
            await SignOutAsync(page);
            await page.ClickAsync("a#sign-in");
            await page.ClickAsync("#passkey-sign-in");
            await page.Locator("#user-name").WaitForAsync();
            Assert.Equal("hwk mfa", await page.TextContentAsync("#amr"));
        });

        // Note: disabled as an administrator does it (a lockout without end): the passkey is valid, the account is not.
        await BrowserEnvironment.ScenarioAsync(page, "passkey-account-disabled", async () =>
        {
            await SignOutAsync(page);
            await using (var scope = _environment.Identity.Services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
                var account = await users.FindByIdAsync(user.Id);
                Assert.True((await users.SetLockoutEndDateAsync(account!, DateTimeOffset.MaxValue)).Succeeded);
            }

            await page.ClickAsync("a#sign-in");
            await page.ClickAsync("#passkey-sign-in");
            await page.Locator("#error").WaitForAsync();
            Assert.Equal("This account cannot sign in now.", (await page.TextContentAsync("#error"))?.Trim());
        });

        Assert.Empty(blocked);
    }

    /// <summary>
    /// A synced passkey set up on the guided enrolment page (where a user who must have a second factor is sent), whose
    /// sign-ins say <c>swk</c>.
    /// </summary>
    [Fact]
    public async Task ASyncedPasskeySetUpOnTheEnrolmentPageSaysSoftwareKeyInTheTokens()
    {
        using var api = _environment.Identity.CreateClient();
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(api);
        var identity = _environment.Identity.BaseAddress.ToString().TrimEnd('/');
        await using var context = await _environment.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var blocked = ListenForBlockedContent(page);
        // Note: a passkey that may be backed up (BE flag), as a phone's or a password manager's synced passkeys are.
        await AddAuthenticatorAsync(context, page, backupEligible: true);

        await BrowserEnvironment.ScenarioAsync(page, "passkey-synced", async () =>
        {
            await SignInWithPasswordAsync(page, user);
            await page.Locator("#user-name").WaitForAsync();
            await page.GotoAsync(identity + "/account/login/enrol?returnUrl=" + Uri.EscapeDataString("/account/passkeys"));
            await page.FillAsync("#passkey-name", "Phone");
            await page.ClickAsync("#enrol-passkey");
            await page.Locator("#passkeys").WaitForAsync();
            Assert.Equal("synced", (await page.TextContentAsync("#passkeys td.kind"))?.Trim());

            await SignOutAsync(page);
            await page.ClickAsync("a#sign-in");
            await page.ClickAsync("#passkey-sign-in");
            await page.Locator("#user-name").WaitForAsync();
            Assert.Equal("mfa swk", await page.TextContentAsync("#amr"));
        });

        Assert.Empty(blocked);
    }

    private static async Task AddAuthenticatorAsync(IBrowserContext context, IPage page, bool backupEligible)
    {
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
                ["defaultBackupEligibility"] = backupEligible,
                ["defaultBackupState"] = backupEligible,
            },
        });
    }

    private static List<string> ListenForBlockedContent(IPage page)
    {
        // Note: the browser reports what the Content-Security-Policy blocked (an inline script, a fetch) on the console.
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(message.Text);
            }
        };
        return blocked;
    }

    private async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync(_environment.WebClient.BaseAddress.ToString());
        await page.ClickAsync("#sign-out");
        await page.Locator("a#sign-in").WaitForAsync();
    }

    private async Task SignInWithPasswordAsync(IPage page, RegisteredUser user)
    {
        await page.GotoAsync(_environment.WebClient.BaseAddress + "signin");
        await page.FillAsync("#username", user.UserName);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("button#sign-in");
    }
}
