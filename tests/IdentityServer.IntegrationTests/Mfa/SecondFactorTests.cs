using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Mfa;

/// <summary>
/// Authenticator codes (RFC 6238) and recovery codes: enrolment, the password grant and the seed login with <c>totp</c>,
/// single use, drift, the second step's own lockout, and what tokens say about the sign-in.
/// </summary>
public abstract class SecondFactorTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnrolmentShowsAQrCodeAndTheKeyAndSwitchesOnOnlyAfterAValidCode()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(userName, password);
        var key = await MfaTestKit.KeyOnPageAsync(browser, "/account/two-factor");
        var again = await MfaTestKit.KeyOnPageAsync(browser, "/account/two-factor");

        using var wrong = await browser.SubmitAsync("/account/two-factor?handler=confirm", new Dictionary<string, string> { ["Code"] = "000000" });
        var beforeConfirming = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var (confirmedKey, codes) = await MfaTestKit.EnrolAsync(browser, Fixture.Clock, userName, password, signIn: false);
        var afterConfirming = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.Equal(32, key.Length);
        Assert.Equal(key, again);
        Assert.Equal(key, confirmedKey);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.False(beforeConfirming.IsError, beforeConfirming.Raw);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Equal("mfa_required", afterConfirming.Error);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.totp_enabled", StringComparison.Ordinal));
        Assert.DoesNotContain(Fixture.Host.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal) || codes.Any(code => line.Contains(code, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheKeyIsStoredProtectedAndTheRecoveryCodesHashed()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        var id = await UserIdAsync(user.UserName);

        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var row = await database.UserMfa.AsNoTracking().SingleAsync(mfa => mfa.UserId == id, Cancel);
        var hashes = await database.RecoveryCodes.Where(code => code.UserId == id).Select(code => code.Hash).ToListAsync(Cancel);

        Assert.DoesNotContain(user.Key, row.TotpKey!, StringComparison.Ordinal);
        Assert.Equal(10, hashes.Count);
        Assert.All(hashes, hash => Assert.Matches("^[0-9a-f]{64}$", hash));
        Assert.DoesNotContain(hashes, hash => user.RecoveryCodes.Any(code => hash.Contains(code.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PasswordGrantAnswersMfaRequiredOnlyAfterThePasswordIsRight()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);

        var wrongPassword = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, "not the password at all", totp: null);
        var noCode = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, totp: null);

        Assert.Equal("invalid_grant", wrongPassword.Error);
        Assert.Equal(HttpStatusCode.BadRequest, noCode.HttpStatusCode);
        Assert.Equal("mfa_required", noCode.Error);
        Assert.Contains("'totp'", noCode.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordGrantWithTheCurrentCodeIssuesTokensSayingPasswordAndOneTimeCode()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);

        var tokens = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock));
        var refreshed = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);

        Assert.False(tokens.IsError, tokens.Raw);
        foreach (var token in new[] { tokens.AccessToken!, tokens.IdentityToken!, refreshed.AccessToken! })
        {
            var jwt = new JsonWebToken(token);
            Assert.Equal(["mfa", "otp", "pwd"], jwt.Claims.Where(claim => claim.Type == "amr").Select(claim => claim.Value).Order(StringComparer.Ordinal));
            Assert.Equal(AuthenticationMethods.MultiFactorLevel, jwt.GetClaim("acr").Value);
        }
    }

    [Fact]
    public async Task APasswordOnlySignInSaysPasswordInItsTokens()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        var access = new JsonWebToken(tokens.AccessToken);
        Assert.Equal(["pwd"], access.Claims.Where(claim => claim.Type == "amr").Select(claim => claim.Value));
        Assert.Equal(AuthenticationMethods.PasswordLevel, access.GetClaim("acr").Value);
    }

    [Fact]
    public async Task ACodeIsAcceptedOnceAndAnOlderOneAfterItNever()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        var code = MfaTestKit.CodeNow(user.Key, Fixture.Clock);

        var first = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, code);
        var replayed = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, code);
        var older = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock, stepOffset: -1));

        Assert.False(first.IsError, first.Raw);
        Assert.Equal("invalid_grant", replayed.Error);
        Assert.Equal("The authenticator code is not valid.", replayed.ErrorDescription);
        Assert.Equal("invalid_grant", older.Error);
    }

    [Fact]
    public async Task OneCodeSentInParallelWorksExactlyOnce()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        var code = MfaTestKit.CodeNow(user.Key, Fixture.Clock);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, code)));

        Assert.Single(answers, answer => !answer.IsError);
    }

    [Fact]
    public async Task ClockDriftOfOneStepEitherWayIsAcceptedAndTwoStepsAreNot()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        // Note: two steps on, so the steps behind were never spent (a spent step is refused as a replay, drift or not).
        Fixture.Clock.Advance(TimeSpan.FromSeconds(2 * Totp.StepSeconds));

        var twoBehind = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock, -2));
        var oneBehind = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock, -1));
        var oneAhead = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock, +1));
        var twoAhead = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock, +2));

        Assert.Equal("invalid_grant", twoBehind.Error);
        Assert.False(oneBehind.IsError, oneBehind.Raw);
        Assert.False(oneAhead.IsError, oneAhead.Raw);
        Assert.Equal("invalid_grant", twoAhead.Error);
    }

    [Fact]
    public async Task SeedLoginTakesTheCodeAndAnswersAMatchingProblemWithout()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);

        using var withoutCode = await MfaTestKit.SeedLoginAsync(Client, user.UserName, user.Password, totp: null);
        using var wrongPassword = await MfaTestKit.SeedLoginAsync(Client, user.UserName, "not the password at all", totp: null);
        using var withCode = await MfaTestKit.SeedLoginAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock));

        var problem = await Problem.ReadAsync(withoutCode, HttpStatusCode.BadRequest);
        Assert.Equal("mfa_required", problem.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        using var body = JsonDocument.Parse(await withCode.Content.ReadAsStringAsync(Cancel));
        Assert.Contains("otp", new JsonWebToken(body.RootElement.GetProperty("access_token").GetString()).Claims
            .Where(claim => claim.Type == "amr").Select(claim => claim.Value));
    }

    [Fact]
    public async Task FiftyParallelWrongCodesAreCountedExactlyAndLockTheSecondStepOnceButNotThePassword()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        var id = await UserIdAsync(user.UserName);
        var right = MfaTestKit.CodeNow(user.Key, Fixture.Clock);
        var wrong = right == "123456" ? "654321" : "123456";

        var watch = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, wrong)));
        watch.Stop();
        var whileLocked = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, right);
        Fixture.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(Totp.StepSeconds));
        var afterwards = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock));

        var checkedCodes = answers.Count(answer => answer.ErrorDescription == "The authenticator code is not valid.");
        var refused = answers.Count(answer => answer.ErrorDescription?.Contains("locked", StringComparison.Ordinal) == true);
        TestContext.Current.SendDiagnosticMessage($"50 parallel wrong codes: {checkedCodes} checked, {refused} refused as locked, in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(5, checkedCodes);
        Assert.Equal(45, refused);
        Assert.Single(Fixture.Host.Logs.Lines, line => line.Contains("mfa.locked_out", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));
        Assert.Equal("invalid_grant", whileLocked.Error);
        Assert.Contains("locked", whileLocked.ErrorDescription, StringComparison.Ordinal);
        Assert.False(afterwards.IsError, afterwards.Raw);
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Users.AsNoTracking().SingleAsync(row => row.Id == id, Cancel);
        Assert.Equal(0, account.AccessFailedCount);
        Assert.Null(account.LockoutEnd);
    }

    [Fact]
    public async Task SignInPageAsksForTheCodeAfterThePasswordAndOnlyThenStartsASession()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var browser = new BrowserSession(Fixture.Host);

        using var password = await browser.SignInAsync(user.UserName, user.Password, "/account");
        using var accountBetweenSteps = await browser.Client.GetAsync(new Uri("/account", UriKind.Relative), Cancel);
        using var wrong = await browser.SubmitAsync(BrowserSession.LocalTarget(password), new Dictionary<string, string> { ["Code"] = "000000" });
        using var right = await browser.SubmitAsync(BrowserSession.LocalTarget(password),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });
        using var account = await browser.Client.GetAsync(new Uri("/account", UriKind.Relative), Cancel);

        Assert.StartsWith("/account/login/second-factor?returnUrl=", BrowserSession.LocalTarget(password), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, accountBetweenSteps.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("/account", BrowserSession.LocalTarget(right));
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
    }

    [Fact]
    public async Task ARecoveryCodeSignsInOnceAndTheUseIsAuditedAndMailed()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client, withEmail: true);
        var code = user.RecoveryCodes[3];

        using var first = new BrowserSession(Fixture.Host);
        using var firstPassword = await first.SignInAsync(user.UserName, user.Password, "/account");
        using var used = await first.SubmitAsync(BrowserSession.LocalTarget(firstPassword), new Dictionary<string, string> { ["Code"] = code.ToUpperInvariant() });
        using var second = new BrowserSession(Fixture.Host);
        using var secondPassword = await second.SignInAsync(user.UserName, user.Password, "/account");
        using var reused = await second.SubmitAsync(BrowserSession.LocalTarget(secondPassword), new Dictionary<string, string> { ["Code"] = code });

        Assert.Equal("/account", BrowserSession.LocalTarget(used));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        var mails = await Fixture.Mail.WaitForAsync(user.Email!, count: 3);
        var told = Assert.Single(mails, mail => mail.Subject == "A recovery code was used");
        Assert.Contains("9 unused codes are left", told.TextBody, StringComparison.Ordinal);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.recovery_code_used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewRecoveryCodesVoidTheOldSet()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var password = await browser.SignInAsync(user.UserName, user.Password, "/account/two-factor");
        using var signedIn = await browser.SubmitAsync(BrowserSession.LocalTarget(password),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });

        using var wrongPassword = await browser.SubmitAsync("/account/two-factor?handler=regenerate",
            new Dictionary<string, string> { ["CurrentPassword"] = "not the password at all" });
        using var regenerated = await browser.SubmitAsync("/account/two-factor?handler=regenerate",
            new Dictionary<string, string> { ["CurrentPassword"] = user.Password });
        var fresh = MfaTestKit.RecoveryCodesIn(await regenerated.Content.ReadAsStringAsync(Cancel));
        using var old = new BrowserSession(Fixture.Host);
        using var oldPassword = await old.SignInAsync(user.UserName, user.Password, "/account");
        using var withOld = await old.SubmitAsync(BrowserSession.LocalTarget(oldPassword), new Dictionary<string, string> { ["Code"] = user.RecoveryCodes[0] });
        using var withNew = await old.SubmitAsync(BrowserSession.LocalTarget(oldPassword), new Dictionary<string, string> { ["Code"] = fresh[0] });

        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(user.RecoveryCodes));
        Assert.Equal(HttpStatusCode.BadRequest, withOld.StatusCode);
        Assert.Equal("/account", BrowserSession.LocalTarget(withNew));
    }

    [Fact]
    public async Task AUserRemovesTheirFactorsWithThePasswordAndACurrentCode()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var password = await browser.SignInAsync(user.UserName, user.Password, "/account/two-factor");
        using var signedIn = await browser.SubmitAsync(BrowserSession.LocalTarget(password),
            new Dictionary<string, string> { ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });
        Fixture.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));

        using var withoutCode = await browser.SubmitAsync("/account/two-factor?handler=remove",
            new Dictionary<string, string> { ["CurrentPassword"] = user.Password, ["Code"] = "000000" });
        var stillOn = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, totp: null);
        using var removed = await browser.SubmitAsync("/account/two-factor?handler=remove",
            new Dictionary<string, string> { ["CurrentPassword"] = user.Password, ["Code"] = MfaTestKit.CodeNow(user.Key, Fixture.Clock) });
        var off = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, totp: null);

        Assert.Equal(HttpStatusCode.BadRequest, withoutCode.StatusCode);
        Assert.Equal("mfa_required", stillOn.Error);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.False(off.IsError, off.Raw);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdministratorResetsAUsersFactorsAndTheUserIsToldByMail()
    {
        var user = await MfaTestKit.NewEnrolledUserAsync(Fixture, Client, withEmail: true);
        var id = await UserIdAsync(user.UserName);
        var adminToken = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var userToken = (await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, MfaTestKit.CodeNow(user.Key, Fixture.Clock))).AccessToken!;

        using var byUser = await ResetAsync(id, userToken);
        using var unknown = await ResetAsync(Guid.NewGuid().ToString(), adminToken);
        using var reset = await ResetAsync(id, adminToken);
        var afterwards = await MfaTestKit.PasswordGrantAsync(Client, user.UserName, user.Password, totp: null);

        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        await Problem.ReadAsync(unknown, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False(afterwards.IsError, afterwards.Raw);
        var mails = await Fixture.Mail.WaitForAsync(user.Email!, count: 3);
        Assert.Contains(mails, mail => mail.Subject == "Your sign-in factors changed" && (mail.TextBody ?? string.Empty).Contains("An administrator reset", StringComparison.Ordinal));
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("mfa.reset", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DiscoveryListsTheAcrValues()
    {
        using var discovery = await Client.GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative), Cancel);
        using var json = JsonDocument.Parse(await discovery.Content.ReadAsStringAsync(Cancel));

        Assert.Equal([AuthenticationMethods.PasswordLevel, AuthenticationMethods.MultiFactorLevel],
            json.RootElement.GetProperty("acr_values_supported").EnumerateArray().Select(value => value.GetString()));
    }

    private Task<HttpResponseMessage> ResetAsync(string id, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/users/{id}/mfa/reset", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request, Cancel);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteSecondFactorTests(SqliteServerFixture fixture) : SecondFactorTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlSecondFactorTests(MySqlServerFixture fixture) : SecondFactorTests(fixture), IClassFixture<MySqlServerFixture>;
