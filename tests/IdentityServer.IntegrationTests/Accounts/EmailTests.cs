using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Common;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary>Email addresses: registration, normalization and uniqueness, verification links, changing the address, the email scope.</summary>
public abstract class EmailTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task RegisterWithAnAddressSendsALinkThatVerifiesIt()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        Assert.False((await GetUserAsync(user, token)).GetProperty("emailVerified").GetBoolean());

        var mail = await Fixture.Mail.LastToAsync(user.Email);
        Assert.Equal("Confirm your email address", mail.Subject);
        Assert.Contains(user.UserName, mail.HtmlBody, StringComparison.Ordinal);
        using var verified = await VerifyAsync(SmtpCatcher.TokenIn(mail, RouteNames.VerifyEmailPage));

        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        var body = await GetUserAsync(user, token);
        Assert.Equal(user.Email, body.GetProperty("email").GetString());
        Assert.True(body.GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task VerificationLinkWorksOnce()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var link = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(user.Email), RouteNames.VerifyEmailPage);
        using var first = await VerifyAsync(link);

        using var again = await VerifyAsync(link);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(["token"], Problem.ErrorFields(await Problem.ReadAsync(again, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task VerificationLinkExpiresAfterTheEmailTokenLifetime()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var link = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(user.Email), RouteNames.VerifyEmailPage);

        Fixture.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        using var expired = await VerifyAsync(link);

        await Problem.ReadAsync(expired, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("two@@example.com")]
    [InlineData("space in@example.com")]
    [InlineData("trailing-dot@example.com.")]
    [InlineData("<angle@example.com>")]
    public async Task RegisterRefusesAnAddressThatIsNotOne(string email)
    {
        using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/auth/register", new
        {
            username = IdentityServerFixture.NewUserName(), password = IdentityServerFixture.NewPassword(), email,
        });

        Assert.Equal(["email"], Problem.ErrorFields(await Problem.ReadAsync(response, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task AddressesAreComparedNormalizedAndAreUnique()
    {
        var local = "Bob." + Guid.NewGuid().ToString("N")[..8];
        var first = await IdentityServerFixture.CreateUserWithEmailAsync(Client, $"  {local}@Bücher.Example ");

        using var sameInAnotherSpelling = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/auth/register", new
        {
            username = IdentityServerFixture.NewUserName(), password = IdentityServerFixture.NewPassword(),
            email = local.ToUpperInvariant() + "@XN--BCHER-KVA.example",
        });

        var problem = await Problem.ReadAsync(sameInAnotherSpelling, HttpStatusCode.Conflict);
        Assert.Equal("Email already in use", problem.GetProperty("title").GetString());
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, first);
        Assert.Equal($"{local}@xn--bcher-kva.example", (await GetUserAsync(first, token)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task ParallelRegistrationsOfOneAddressCreateOneAccount()
    {
        var email = IdentityServerFixture.NewEmail();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/auth/register", new
            {
                username = IdentityServerFixture.NewUserName(), password = IdentityServerFixture.NewPassword(), email,
            });
            return response.StatusCode;
        }));

        Assert.Single(answers, status => status == HttpStatusCode.Created);
        Assert.All(answers.Where(status => status != HttpStatusCode.Created), status => Assert.Equal(HttpStatusCode.Conflict, status));
    }

    [Fact]
    public async Task AddressesMayRepeatWhenUniquenessIsOff()
    {
        await using var host = Fixture.CreateHost([new("Accounts:RequireUniqueEmail", "false")]);
        using var client = host.CreateClient();
        var email = IdentityServerFixture.NewEmail();

        await IdentityServerFixture.CreateUserWithEmailAsync(client, email);
        await IdentityServerFixture.CreateUserWithEmailAsync(client, email);

        Assert.Equal(2, (await Fixture.Mail.WaitForAsync(email, 2)).Count);
    }

    [Fact]
    public async Task RegisterNeedsAnAddressOnlyWhenConfigured()
    {
        await using var host = Fixture.CreateHost([new("Accounts:RequireEmail", "true")]);
        using var client = host.CreateClient();

        using var without = await IdentityServerFixture.RegisterAsync(client, IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword());
        using var seedStyle = await IdentityServerFixture.RegisterAsync(Client, IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword());

        Assert.Equal(["email"], Problem.ErrorFields(await Problem.ReadAsync(without, HttpStatusCode.BadRequest)));
        Assert.Equal(HttpStatusCode.Created, seedStyle.StatusCode);
    }

    [Fact]
    public async Task ANewAddressIsUsedOnlyOnceVerifiedAndTheOldOneIsTold()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        var newAddress = IdentityServerFixture.NewEmail();

        using var change = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Put, "/api/account/email",
            new { email = newAddress, currentPassword = user.Password }, token);
        Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
        var pending = await GetAccountAsync(token);
        Assert.Equal(user.Email, pending.GetProperty("email").GetString());
        Assert.Equal(newAddress, pending.GetProperty("pendingEmail").GetString());

        using var verified = await VerifyAsync(SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(newAddress), RouteNames.VerifyEmailPage));

        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        var changed = await GetAccountAsync(token);
        Assert.Equal(newAddress, changed.GetProperty("email").GetString());
        Assert.True(changed.GetProperty("emailVerified").GetBoolean());
        var told = await Fixture.Mail.LastToAsync(user.Email, count: 2);
        Assert.Equal("Your email address was changed", told.Subject);
        Assert.DoesNotContain(newAddress, told.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingTheAddressInvalidatesTheOldAddressesVerificationLink()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var oldLink = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(user.Email), RouteNames.VerifyEmailPage);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        using var change = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Put, "/api/account/email",
            new { email = IdentityServerFixture.NewEmail(), currentPassword = user.Password }, token);

        using var old = await VerifyAsync(oldLink);

        await Problem.ReadAsync(old, HttpStatusCode.BadRequest);
        Assert.False((await GetAccountAsync(token)).GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task ChangingTheAddressNeedsThePassword()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);

        using var change = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Put, "/api/account/email",
            new { email = IdentityServerFixture.NewEmail(), currentPassword = "not the password at all" }, token);

        Assert.Equal(["currentPassword"], Problem.ErrorFields(await Problem.ReadAsync(change, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task EmailScopeGivesEmailClaimsInTheIdTokenAndUserinfo()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password, "openid email");
        var withoutScope = await IdentityServerFixture.RequestPasswordTokenAsync(Client, user.UserName, user.Password, "openid profile");

        var idToken = new JsonWebToken(tokens.IdentityToken);
        Assert.Equal(user.Email, idToken.Claims.Single(claim => claim.Type == "email").Value);
        Assert.Equal("false", idToken.Claims.Single(claim => claim.Type == "email_verified").Value);
        Assert.DoesNotContain(new JsonWebToken(withoutScope.IdentityToken).Claims, claim => claim.Type == "email");
        Assert.DoesNotContain(new JsonWebToken(tokens.AccessToken).Claims, claim => claim.Type == "email");
        var userInfo = await Client.GetUserInfoAsync(new UserInfoRequest { Address = "/connect/userinfo", Token = tokens.AccessToken },
            TestContext.Current.CancellationToken);
        Assert.Equal(user.Email, userInfo.Json?.GetProperty("email").GetString());
        Assert.False(userInfo.Json?.GetProperty("email_verified").GetBoolean());
    }

    [Fact]
    public async Task RequireVerifiedEmailHoldsSignInUntilTheAddressIsVerified()
    {
        await using var host = Fixture.CreateHost([new("Accounts:RequireVerifiedEmail", "true")]);
        using var client = host.CreateClient();
        using var without = await IdentityServerFixture.RegisterAsync(client, IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword());
        Assert.Equal(["email"], Problem.ErrorFields(await Problem.ReadAsync(without, HttpStatusCode.BadRequest)));
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(client);

        var refused = await IdentityServerFixture.RequestPasswordTokenAsync(client, user.UserName, user.Password);
        using var browser = new BrowserSession(host);
        using var page = await browser.SignInAsync(user.UserName, user.Password);

        Assert.Equal("invalid_grant", refused.Error);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith(RouteNames.ResendVerificationPage + "?unverified=true", BrowserSession.LocalTarget(page), StringComparison.Ordinal);
        using var resend = await browser.SubmitAsync(BrowserSession.LocalTarget(page), new Dictionary<string, string> { ["UsernameOrEmail"] = user.UserName });
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
        var newest = await Fixture.Mail.LastToAsync(user.Email, count: 2);
        using var verified = await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/email/verify",
            new { token = SmtpCatcher.TokenIn(newest, RouteNames.VerifyEmailPage) });
        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(client, user.UserName, user.Password)).IsError);
    }

    [Fact]
    public async Task VerifyPageConfirmsOnlyWhenItsFormIsSent()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var link = SmtpCatcher.LinkIn(await Fixture.Mail.LastToAsync(user.Email), RouteNames.VerifyEmailPage);
        using var browser = new BrowserSession(Fixture.Host);

        using var opened = await browser.Client.GetAsync(link.PathAndQuery, TestContext.Current.CancellationToken);
        var token = await IdentityServerFixture.GetAccessTokenForAsync(Client, user);
        Assert.False((await GetAccountAsync(token)).GetProperty("emailVerified").GetBoolean());
        using var confirmed = await browser.SubmitAsync(link.PathAndQuery, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("id=\"verified\"", await confirmed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True((await GetAccountAsync(token)).GetProperty("emailVerified").GetBoolean());
    }

    private Task<HttpResponseMessage> VerifyAsync(string token) =>
        IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/email/verify", new { token });

    private async Task<JsonElement> GetUserAsync(RegisteredUser user, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{user.Id}");
        request.SetBearerToken(token);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private async Task<JsonElement> GetAccountAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account");
        request.SetBearerToken(token);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteEmailTests(SqliteServerFixture fixture) : EmailTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlEmailTests(MySqlServerFixture fixture) : EmailTests(fixture), IClassFixture<MySqlServerFixture>;
