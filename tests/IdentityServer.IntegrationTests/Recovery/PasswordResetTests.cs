using System.Net;
using System.Text;
using IdentityHost.IdentityServer.Common;
using IdentityHost.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityHost.IdentityServer.IntegrationTests.Recovery;

/// <summary>Self-service password reset over the API and the pages, and the administrator's reset link.</summary>
public abstract class PasswordResetTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForgotPasswordMailsALinkThatSetsANewPassword(bool byEmail)
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);

        using var forgot = await ForgotAsync(byEmail ? user.Email.ToUpperInvariant() : user.UserName);
        var mail = await Fixture.Mail.LastToAsync(user.Email, count: 2);
        using var reset = await ResetAsync(SmtpCatcher.TokenIn(mail, RouteNames.ResetPasswordPage), "a brand new pass phrase for me");

        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        Assert.Equal("Reset your password", mail.Subject);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, "a brand new pass phrase for me")).IsError);
        Assert.Equal("invalid_grant", (await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password)).Error);
    }

    [Fact]
    public async Task ResetEndsEverySessionAndRefreshTokenAndTellsTheUserByMail()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var before = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password);
        using var browser = new BrowserSession(Fixture.Host);
        using var signedIn = await browser.SignInAsync(user.UserName, user.Password);

        await ResetWithMailAsync(user, "a brand new pass phrase for me");

        Assert.Equal("invalid_grant", (await IdentityServerFixture.RefreshAsync(Client, before.RefreshToken!)).Error);
        var told = await Fixture.Mail.LastToAsync(user.Email, count: 3);
        Assert.Equal("Your password was changed", told.Subject);
        using var account = await browser.Client.GetAsync(new Uri(RouteNames.AccountPage, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, account.StatusCode);
        Assert.StartsWith(RouteNames.LoginPage, BrowserSession.LocalTarget(account), StringComparison.Ordinal);
        Assert.Contains(Fixture.Host.Logs.Lines, line => line.Contains("password.reset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResetLinkWorksOnce()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await RequestLinkAsync(user);
        using var first = await ResetAsync(token, "a brand new pass phrase for me");

        using var again = await ResetAsync(token, "yet another pass phrase to use");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(["token"], Problem.ErrorFields(await Problem.ReadAsync(again, HttpStatusCode.BadRequest)));
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, "a brand new pass phrase for me")).IsError);
    }

    [Fact]
    public async Task ParallelUsesOfOneLinkResetOnce()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await RequestLinkAsync(user);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async index =>
        {
            using var response = await ResetAsync(token, $"parallel pass phrase number {index}");
            return response.StatusCode;
        }));

        Assert.Single(answers, status => status == HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ResetLinkExpiresAfterItsLifetime()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await RequestLinkAsync(user);

        Fixture.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using var expired = await ResetAsync(token, "a brand new pass phrase for me");

        await Problem.ReadAsync(expired, HttpStatusCode.BadRequest);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password)).IsError);
    }

    [Fact]
    public async Task ANewRequestMakesOlderLinksStopWorking()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var older = await RequestLinkAsync(user);
        var newer = await RequestLinkAsync(user, mailsBefore: 2);

        using var withOlder = await ResetAsync(older, "a brand new pass phrase for me");
        using var withNewer = await ResetAsync(newer, "a brand new pass phrase for me");

        await Problem.ReadAsync(withOlder, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, withNewer.StatusCode);
    }

    [Fact]
    public async Task ATokenWorksOnlyForTheUserItWasSentTo()
    {
        var victim = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var attacker = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var attackersToken = await RequestLinkAsync(attacker);
        await RequestLinkAsync(victim);

        // Note: the attacker's own secret under the victim's id.
        var bytes = WebEncoders.Base64UrlDecode(attackersToken);
        Guid.Parse(victim.Id).TryWriteBytes(bytes);
        using var forged = await ResetAsync(WebEncoders.Base64UrlEncode(bytes), "the attackers pass phrase here");

        await Problem.ReadAsync(forged, HttpStatusCode.BadRequest);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, victim.UserName, victim.Password)).IsError);
    }

    [Fact]
    public async Task ResetAppliesThePasswordPolicyAndKeepsTheLinkUsable()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await RequestLinkAsync(user);

        using var tooShort = await ResetAsync(token, "short");
        using var common = await ResetAsync(token, "passwordpassword");
        using var good = await ResetAsync(token, "a brand new pass phrase for me");

        Assert.Equal(["newPassword"], Problem.ErrorFields(await Problem.ReadAsync(tooShort, HttpStatusCode.BadRequest)));
        Assert.Equal(["newPassword"], Problem.ErrorFields(await Problem.ReadAsync(common, HttpStatusCode.BadRequest)));
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
    }

    [Fact]
    public async Task ResetEndsALockoutThatGuessesCaused()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        for (var guess = 0; guess < 5; guess++)
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, "a wrong guess number " + guess);
        }

        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password)).IsError);
        await ResetWithMailAsync(user, "a brand new pass phrase for me");

        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, "a brand new pass phrase for me")).IsError);
    }

    [Fact]
    public async Task ForgotPasswordAnswersAlikeAndMailsOnlyAnAccountWithAnAddress()
    {
        var withAddress = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var (withoutAddress, _) = await IdentityServerFixture.CreateUserAsync(Client);
        var unknown = IdentityServerFixture.NewEmail();

        var bodies = new List<string>();
        foreach (var name in new[] { withAddress.UserName, withoutAddress, unknown, IdentityServerFixture.NewUserName() })
        {
            using var response = await ForgotAsync(name);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            bodies.Add(response.Content.Headers.ContentType + " " + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        Assert.Single(bodies.Distinct());
        await Fixture.Mail.WaitForAsync(withAddress.Email, 2);
        await WaitForOutboxAsync();
        Assert.Empty(Fixture.Mail.To(unknown));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResetLinkIgnoresTheRequestsHostHeader(bool issuerConfigured)
    {
        // Note: a database of its own, so that only this host (and its issuer setting) handles the request.
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:IdentityHost"] = await Fixture.CreateDatabaseAsync() };
        if (issuerConfigured)
        {
            settings["OpenIddict:Issuer"] = "https://login.example.com/";
        }

        await using var host = Fixture.CreateHost(settings);
        using var client = host.CreateClient();
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/password/forgot")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { usernameOrEmail = user.UserName }),
        };
        request.Headers.Host = "attacker.example";
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        using var forgot = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var link = SmtpCatcher.LinkIn(await Fixture.Mail.LastToAsync(user.Email, count: 2), RouteNames.ResetPasswordPage);

        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        Assert.Equal(issuerConfigured ? "login.example.com" : "localhost", link.Host);
        Assert.DoesNotContain("attacker", (await Fixture.Mail.LastToAsync(user.Email, count: 2)).HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachAccountGetsAtMostItsHourlyShareOfMails()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        for (var request = 0; request < 7; request++)
        {
            using var forgot = await ForgotAsync(user.UserName);
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        await WaitForOutboxAsync();
        Assert.Equal(5, Fixture.Mail.To(user.Email).Count(mail => mail.Subject == "Reset your password"));
        Fixture.Clock.Advance(TimeSpan.FromMinutes(61));
        await RequestLinkAsync(user, mailsBefore: 6);
    }

    [Fact]
    public async Task ForgotPasswordIsRateLimitedPerAddress()
    {
        await using var host = Fixture.CreateHost([new("RateLimiting:RecoveryRequestsPerMinute", "2")]);
        using var client = host.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var request = 0; request < 3; request++)
        {
            using var response = await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/password/forgot",
                new { usernameOrEmail = IdentityServerFixture.NewUserName() });
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                await Problem.ReadAsync(response, HttpStatusCode.TooManyRequests);
            }
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], answers);
    }

    [Theory]
    [InlineData("{}", "usernameOrEmail")]
    [InlineData("""{"usernameOrEmail":""}""", "usernameOrEmail")]
    [InlineData("""{"usernameOrEmail":12}""", "usernameOrEmail")]
    public async Task ForgotPasswordReturns400NamingTheBadField(string json, string field)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/api/account/password/forgot", content, TestContext.Current.CancellationToken);

        Assert.Equal([field], Problem.ErrorFields(await Problem.ReadAsync(response, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task AdministratorCanMailAResetLinkButNeverSetsThePassword()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var (noAddress, _) = await IdentityServerFixture.CreateUserAsync(Client);
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var self = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        var noAddressId = await UserIdAsync(noAddress);

        using var sent = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{user.Id}/password-reset", null, admin);
        using var byUser = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{user.Id}/password-reset", null, self);
        using var withoutAddress = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{noAddressId}/password-reset", null, admin);
        using var unknown = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{Guid.NewGuid()}/password-reset", null, admin);

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        await Problem.ReadAsync(withoutAddress, HttpStatusCode.Conflict);
        await Problem.ReadAsync(unknown, HttpStatusCode.NotFound);
        var mail = await Fixture.Mail.LastToAsync(user.Email, count: 2);
        using var reset = await ResetAsync(SmtpCatcher.TokenIn(mail, RouteNames.ResetPasswordPage), "the users own new pass phrase");
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
    }

    [Fact]
    public async Task AdministratorsResetLinkSentWhileTheUsersOwnRequestIsHandledIsAcceptedAndOneLinkStays()
    {
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);
        for (var round = 0; round < 8; round++)
        {
            // Note: the user's request is handled in the background, so both store this account's first link at once.
            var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
            var forgot = ForgotAsync(user.UserName);
            var sent = IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, $"/api/users/{user.Id}/password-reset", null, admin);
            await Task.WhenAll(forgot, sent);
            using var forgotResponse = await forgot;
            using var sentResponse = await sent;

            Assert.Equal(HttpStatusCode.Accepted, forgotResponse.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, sentResponse.StatusCode);
            var mails = await Fixture.Mail.WaitForAsync(user.Email, count: 3);
            var links = mails.Where(mail => mail.Subject == "Reset your password")
                .Select(mail => SmtpCatcher.TokenIn(mail, RouteNames.ResetPasswordPage)).ToList();
            Assert.Equal(2, links.Count);
            var statuses = new List<HttpStatusCode>();
            foreach (var link in links)
            {
                using var reset = await ResetAsync(link, "a brand new pass phrase for me");
                statuses.Add(reset.StatusCode);
            }

            // Note: a new link replaces the older one, so exactly one of the two still works.
            Assert.Single(statuses, status => status == HttpStatusCode.NoContent);
        }
    }

    [Fact]
    public async Task ForgotAndResetPagesSetANewPassword()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        using var browser = new BrowserSession(Fixture.Host);
        using var login = await browser.Client.GetAsync(new Uri(RouteNames.LoginPage, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("href=\"/account/forgot-password\"", await login.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var forgot = await browser.SubmitAsync(RouteNames.ForgotPasswordPage, new Dictionary<string, string> { ["UsernameOrEmail"] = user.Email });
        Assert.Contains("id=\"sent\"", await forgot.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var link = SmtpCatcher.LinkIn(await Fixture.Mail.LastToAsync(user.Email, count: 2), RouteNames.ResetPasswordPage);
        using var reset = await browser.SubmitAsync(link.PathAndQuery, new Dictionary<string, string> { ["NewPassword"] = "set on the reset page itself" });

        Assert.Contains("id=\"done\"", await reset.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var signedIn = await browser.SignInAsync(user.UserName, "set on the reset page itself");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    private Task<HttpResponseMessage> ForgotAsync(string usernameOrEmail) =>
        IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password/forgot", new { usernameOrEmail });

    private Task<HttpResponseMessage> ResetAsync(string token, string newPassword) =>
        IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password/reset", new { token, newPassword });

    /// <summary>Asks for a link and returns its token; <paramref name="mailsBefore"/> is how many mails the user had already.</summary>
    private async Task<string> RequestLinkAsync(RegisteredUser user, int mailsBefore = 1)
    {
        using var forgot = await ForgotAsync(user.UserName);
        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        return SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(user.Email, mailsBefore + 1), RouteNames.ResetPasswordPage);
    }

    private async Task ResetWithMailAsync(RegisteredUser user, string newPassword)
    {
        using var reset = await ResetAsync(await RequestLinkAsync(user), newPassword);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqlitePasswordResetTests(SqliteServerFixture fixture) : PasswordResetTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlPasswordResetTests(MySqlServerFixture fixture) : PasswordResetTests(fixture), IClassFixture<MySqlServerFixture>;
