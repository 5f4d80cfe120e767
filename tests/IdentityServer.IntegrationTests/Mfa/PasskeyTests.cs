using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Mfa;

/// <summary>
/// Passkeys without a browser: the schema, the ceremonies' options and who may ask for them, what the server says to a
/// credential that is missing or garbage, renaming and removing (which asks for the password), and the password grant and
/// the seed login of a user whose only second factor is a passkey. Note: a passkey is stored here through Identity's own
/// UserManager (its key is never used: nothing here asks for a signature); the ceremonies with a real authenticator run in
/// Chromium (the browser tests' PasskeySignInTests).
/// </summary>
public abstract partial class PasskeyTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePasskeyMigrationIsAppliedAndIdentityStoresPasskeys()
    {
        var (userName, _) = await IdentityServerFixture.CreateUserAsync(Client);
        var id = await AddPasskeyAsync(userName, "Desk key");

        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var applied = await database.Database.GetAppliedMigrationsAsync(Cancel);
        var user = await users.FindByNameAsync(userName);
        var stored = await users.GetPasskeysAsync(user!);

        Assert.Contains(applied, migration => migration.EndsWith("_Passkeys", StringComparison.Ordinal));
        Assert.True(users.SupportsUserPasskey);
        Assert.Equal(id, Base64Url.EncodeToString(Assert.Single(stored).CredentialId));
        Assert.Equal("Desk key", stored[0].Name);
        Assert.Equal(["internal", "usb"], stored[0].Transports ?? []);
        Assert.Equal(1, await database.UserPasskeys.CountAsync(passkey => passkey.UserId == user!.Id, Cancel));
    }

    [Fact]
    public async Task APasskeyOnlyUserGetsMfaRequiredOnThePasswordGrantAndTheSeedLoginOnlyAfterTheRightPassword()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        await AddPasskeyAsync(userName, "Phone");

        var wrongPassword = await MfaTestKit.PasswordGrantAsync(Client, userName, "not the password at all", totp: null);
        var grant = await MfaTestKit.PasswordGrantAsync(Client, userName, password, totp: null);
        var withCode = await MfaTestKit.PasswordGrantAsync(Client, userName, password, totp: "123456");
        using var seed = await MfaTestKit.SeedLoginAsync(Client, userName, password, totp: null);
        var problem = await Problem.ReadAsync(seed, HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", wrongPassword.Error);
        Assert.Equal(HttpStatusCode.BadRequest, grant.HttpStatusCode);
        Assert.Equal("mfa_required", grant.Error);
        Assert.Contains("passkey", grant.ErrorDescription, StringComparison.Ordinal);
        Assert.Contains("cannot be used with this grant", grant.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal("mfa_required", withCode.Error);
        Assert.Equal("mfa_required", problem.GetProperty("error").GetString());
        Assert.Contains("cannot be used with this grant", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.required", StringComparison.Ordinal) && line.Contains("passkey only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThePasswordOfAPasskeyOnlyUserLeadsToTheSecondStepWhichOffersThePasskeyWithTheServersOwnScript()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        await AddPasskeyAsync(userName, "Phone");
        using var browser = new BrowserSession(Fixture.Host);

        using var signedIn = await browser.SignInAsync(userName, password);
        using var step = await browser.Client.GetAsync(new Uri(BrowserSession.LocalTarget(signedIn), UriKind.Relative), Cancel);
        var html = await step.Content.ReadAsStringAsync(Cancel);
        using var script = await browser.Client.GetAsync(new Uri("/js/passkeys.js", UriKind.Relative), Cancel);
        using var options = await PostAsync(browser, "/account/login/second-factor", "/account/login/second-factor?handler=passkeyoptions", []);
        using var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync(Cancel));

        Assert.StartsWith("/account/login/second-factor", BrowserSession.LocalTarget(signedIn), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        Assert.Contains("id=\"passkey-verify\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"code\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/js/passkeys.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script>|<script [^s]|\\son[a-z]+=", html);
        var policy = Assert.Single(step.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal("'self'", ScriptSources().Match(policy).Groups[1].Value);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("form-action", policy, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(script.Headers.GetValues("X-Content-Type-Options")));
        // Note: the second step asks for this user's passkeys only, with the user verified.
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Single(json.RootElement.GetProperty("allowCredentials").EnumerateArray());
        Assert.Equal("required", json.RootElement.GetProperty("userVerification").GetString());
        Assert.Equal("localhost", json.RootElement.GetProperty("rpId").GetString());
    }

    [Fact]
    public async Task TheOptionsToRegisterAPasskeyNeedASignInAndNameTheUserAndTheServer()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var anonymous = new BrowserSession(Fixture.Host);
        using var signedOut = await PostAsync(anonymous, "/account/login", "/account/passkeys?handler=options", []);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);
        var existing = await AddPasskeyAsync(userName, "Old key");

        using var options = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=options", []);
        using var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync(Cancel));
        using var signIn = await PostAsync(anonymous, "/account/login", "/account/login?handler=passkeyoptions", []);
        using var request = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync(Cancel));

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith("/account/login", BrowserSession.LocalTarget(signedOut), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Equal("application/json", options.Content.Headers.ContentType?.MediaType);
        var root = json.RootElement;
        Assert.Equal("localhost", root.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal(userName, root.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal(existing, Assert.Single(root.GetProperty("excludeCredentials").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(32, Base64Url.DecodeFromChars(root.GetProperty("challenge").GetString()).Length);
        // Note: the sign-in page's options name no user and no credential: any passkey of this site may answer.
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.True(!request.RootElement.TryGetProperty("allowCredentials", out var allowed) || allowed.GetArrayLength() == 0);
    }

    [Fact]
    public async Task AMissingOrGarbageCredentialIsAClearErrorAndNeverA500()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);
        using var anonymous = new BrowserSession(Fixture.Host);
        string[] garbage = ["", "not json", "{}", "[1,2,3]", "{\"id\":\"AAAA\",\"type\":\"public-key\",\"response\":{}}", new string('{', 5000)];

        var answers = new List<(HttpStatusCode Status, string Html)>();
        foreach (var credential in garbage)
        {
            // Note: with the ceremony under way (its options asked for first) and without, on both pages.
            using var creation = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=options", []);
            answers.Add(await ReadAsync(await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=add",
                new() { ["Name"] = "Garbage", ["CredentialJson"] = credential })));
            answers.Add(await ReadAsync(await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=add",
                new() { ["Name"] = "Garbage", ["CredentialJson"] = credential })));
            using var request = await PostAsync(anonymous, "/account/login", "/account/login?handler=passkeyoptions", []);
            answers.Add(await ReadAsync(await PostAsync(anonymous, "/account/login", "/account/login?handler=passkey",
                new() { ["CredentialJson"] = credential })));
            answers.Add(await ReadAsync(await PostAsync(anonymous, "/account/login", "/account/login?handler=passkey",
                new() { ["CredentialJson"] = credential })));
        }

        Assert.All(answers, answer =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            Assert.Contains("The passkey could not be verified. Try again.", answer.Html, StringComparison.Ordinal);
        });
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.passkey_failed", StringComparison.Ordinal));
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("registration: The attestation credential JSON had an invalid format\"", StringComparison.Ordinal));
        Assert.DoesNotContain(Fixture.Host.Logs.Lines, line => line.Contains("not json", StringComparison.Ordinal) || line.Contains("{{{{", StringComparison.Ordinal));
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var id = await UserIdAsync(userName);
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().UserPasskeys.CountAsync(passkey => passkey.UserId == id, Cancel));
    }

    [Fact]
    public async Task APasskeyIsRenamedAndRemovedOnlyWithThePasswordAndTheUserIsToldByMail()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(user.UserName, user.Password);
        var id = await AddPasskeyAsync(user.UserName, "Laptop");

        using var listed = await browser.Client.GetAsync(new Uri("/account/passkeys", UriKind.Relative), Cancel);
        var html = await listed.Content.ReadAsStringAsync(Cancel);
        using var renamed = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=rename", new() { ["Id"] = id, ["Name"] = "  Work laptop  " });
        using var tooLong = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=rename", new() { ["Id"] = id, ["Name"] = new string('x', 65) });
        using var unknown = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=rename", new() { ["Id"] = "AAAA", ["Name"] = "Other" });
        using var wrongPassword = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=remove", new() { ["Id"] = id, ["CurrentPassword"] = "not the password" });
        var afterWrongPassword = await StoredNamesAsync(user.UserName);
        using var removed = await PostAsync(browser, "/account/passkeys", "/account/passkeys?handler=remove", new() { ["Id"] = id, ["CurrentPassword"] = user.Password });
        var afterRemoval = await StoredNamesAsync(user.UserName);
        var grant = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, totp: null);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains("value=\"Laptop\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-passkey-id=\"{id}\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        Assert.Contains("The password is not correct.", await wrongPassword.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(["Work laptop"], afterWrongPassword);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Empty(afterRemoval);
        Assert.False(grant.IsError, grant.Raw);
        var mails = await Fixture.Mail.WaitForAsync(user.Email, count: 2);
        Assert.Contains(mails, mail => mail.Subject == "Your sign-in factors changed" &&
            (mail.TextBody ?? string.Empty).Contains("The passkey named \"Work laptop\" was removed", StringComparison.Ordinal));
        var userId = await UserIdAsync(user.UserName);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.passkey_renamed", StringComparison.Ordinal) && line.Contains(userId, StringComparison.Ordinal));
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.passkey_removed", StringComparison.Ordinal) && line.Contains(userId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdministratorsResetRemovesTheUsersPasskeys()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        await AddPasskeyAsync(userName, "Lost key");
        var id = await UserIdAsync(userName);
        var adminToken = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/users/{id}/mfa/reset", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
        using var reset = await Client.SendAsync(request, Cancel);
        var afterwards = await MfaTestKit.PasswordGrantAsync(Client, userName, password, totp: null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(await StoredNamesAsync(userName));
        Assert.False(afterwards.IsError, afterwards.Raw);
    }

    [Fact]
    public async Task TheGuidedEnrolmentOffersAPasskeyToAUserWhoMustHaveASecondFactor()
    {
        var adminToken = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client, role: "admin", bearerToken: adminToken);
        // Note: the fixture's own host requires no role to have a second factor; this one has the default, admin.
        await using var strict = Fixture.CreateHost([new("Accounts:Mfa:RequiredForRoles:0", "admin")]);
        using var anonymous = new BrowserSession(strict);
        using var withoutSignIn = await PostAsync(anonymous, "/account/login", "/account/login/enrol?handler=passkeyoptions", []);
        using var browser = new BrowserSession(strict);

        using var signedIn = await browser.SignInAsync(userName, password);
        using var page = await browser.Client.GetAsync(new Uri(BrowserSession.LocalTarget(signedIn), UriKind.Relative), Cancel);
        var html = await page.Content.ReadAsStringAsync(Cancel);
        using var options = await PostAsync(browser, "/account/login/enrol", "/account/login/enrol?handler=passkeyoptions", []);
        using var json = JsonDocument.Parse(await options.Content.ReadAsStringAsync(Cancel));
        var (garbageStatus, garbageHtml) = await ReadAsync(await PostAsync(browser, "/account/login/enrol", "/account/login/enrol?handler=passkey",
            new() { ["Name"] = "Key", ["CredentialJson"] = "{\"id\":1}" }));

        Assert.StartsWith("/account/login/enrol", BrowserSession.LocalTarget(signedIn), StringComparison.Ordinal);
        Assert.Contains("id=\"enrol-passkey\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"totp-key\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, withoutSignIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Equal(userName, json.RootElement.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, garbageStatus);
        Assert.Contains("The passkey could not be verified. Try again.", garbageHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupChecksTheRelyingPartyIdAgainstTheIssuerAndAnIpIssuerLeavesItUnset()
    {
        await using var foreign = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:Issuer"] = "https://login.example.com/",
            ["Accounts:Mfa:Passkeys:ServerDomain"] = "other.example",
        });
        await using var parent = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:Issuer"] = "https://login.example.com/",
            ["Accounts:Mfa:Passkeys:ServerDomain"] = "example.com",
        });
        await using var address = Fixture.CreateHost(new Dictionary<string, string?> { ["OpenIddict:Issuer"] = "http://127.0.0.1:5999/" });

        Assert.ThrowsAny<Exception>(() => foreign.CreateClient());
        using var parentClient = parent.CreateClient();
        using var addressClient = address.CreateClient();

        Assert.Contains(foreign.Logs.Lines, line => line.Contains("Accounts:Mfa:Passkeys:ServerDomain must be the host of OpenIddict:Issuer", StringComparison.Ordinal));
        Assert.Equal("example.com", parent.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityPasskeyOptions>>().Value.ServerDomain);
        Assert.Null(address.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityPasskeyOptions>>().Value.ServerDomain);
    }

    /// <summary>Stores a passkey for <paramref name="userName"/> through Identity; returns its id (base64url).</summary>
    private async Task<string> AddPasskeyAsync(string userName, string name)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException("No user " + userName);
        var credentialId = RandomNumberGenerator.GetBytes(32);
        var passkey = new UserPasskeyInfo(credentialId, RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 0, ["internal", "usb"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [0xa0], clientDataJson: [0x7b, 0x7d])
        {
            Name = name,
        };
        var result = await users.AddOrUpdatePasskeyAsync(user, passkey);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(error => error.Description)));
        return Base64Url.EncodeToString(credentialId);
    }

    private async Task<string[]> StoredNamesAsync(string userName)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByNameAsync(userName);
        return [.. (await users.GetPasskeysAsync(user!)).Select(passkey => passkey.Name ?? string.Empty)];
    }

    /// <summary>Posts <paramref name="fields"/> to <paramref name="target"/> with the antiforgery token of <paramref name="page"/>.</summary>
    private static async Task<HttpResponseMessage> PostAsync(BrowserSession browser, string page, string target, Dictionary<string, string> fields)
    {
        using var form = await browser.Client.GetAsync(new Uri(page, UriKind.Relative), Cancel);
        var html = await form.Content.ReadAsStringAsync(Cancel);
        fields["__RequestVerificationToken"] = AntiforgeryToken().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"{page} has no antiforgery token ({(int)form.StatusCode}): {html}");
        using var content = new FormUrlEncodedContent(fields);
        return await browser.Client.PostAsync(new Uri(target, UriKind.Relative), content, Cancel);
    }

    private static async Task<(HttpStatusCode, string)> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancel));
        }
    }

    [GeneratedRegex("script-src ([^;]*)")]
    private static partial Regex ScriptSources();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqlitePasskeyTests(SqliteServerFixture fixture) : PasskeyTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlPasskeyTests(MySqlServerFixture fixture) : PasskeyTests(fixture), IClassFixture<MySqlServerFixture>;
