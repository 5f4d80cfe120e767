using System.Net;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Mail;

/// <summary>
/// Mail delivery through the outbox: an SMTP outage delays mail and loses none, two nodes send each message once, sent
/// rows keep no recipient or body, Development's pickup directory, and start-up refusing to run without a sender.
/// </summary>
public abstract class OutboxTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task AnSmtpOutageDelaysMailAndLosesNone()
    {
        var users = new List<RegisteredUser>();
        for (var index = 0; index < 6; index++)
        {
            users.Add(await IdentityServerFixture.CreateUserWithEmailAsync(Client));
        }

        foreach (var user in users)
        {
            await Fixture.Mail.WaitForAsync(user.Email);
        }

        await Fixture.Mail.StopAsync();
        try
        {
            foreach (var user in users)
            {
                using var forgot = await IdentityServerFixture.SendJsonAsync(Client, HttpMethod.Post, "/api/account/password/forgot",
                    new { usernameOrEmail = user.UserName });
                Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
            }

            // Note: the requests were answered at once, and the mails failed and wait for their next try.
            await WaitUntilAsync(async () => await FailedMailsAsync() >= 1, "no mail delivery failed while the SMTP server was down");
            Assert.All(users, user => Assert.Single(Fixture.Mail.To(user.Email)));
        }
        finally
        {
            Fixture.Mail.Start();
        }

        foreach (var user in users)
        {
            var mails = await Fixture.Mail.WaitForAsync(user.Email, 2, TimeSpan.FromSeconds(30));
            Assert.Single(mails, mail => mail.Subject == "Reset your password");
        }

        await WaitForOutboxAsync();
        Assert.All(users, user => Assert.Equal(2, Fixture.Mail.To(user.Email).Count));
        Assert.Equal(Fixture.Mail.Messages.Count, Fixture.Mail.Messages.Select(mail => mail.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task TwoNodesOnOneDatabaseSendEachMessageOnce()
    {
        await using var second = Fixture.CreateHost();
        using var secondClient = second.CreateClient();
        var users = new List<RegisteredUser>();
        for (var index = 0; index < 20; index++)
        {
            users.Add(await IdentityServerFixture.CreateUserWithEmailAsync(index % 2 == 0 ? Client : secondClient));
        }

        foreach (var user in users)
        {
            await Fixture.Mail.WaitForAsync(user.Email);
        }

        await WaitForOutboxAsync();
        Assert.All(users, user => Assert.Single(Fixture.Mail.To(user.Email)));
    }

    [Fact]
    public async Task SentMailKeepsNoRecipientOrBodyInTheDatabase()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        await Fixture.Mail.WaitForAsync(user.Email);
        await WaitForOutboxAsync();

        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        var rows = await database.Outbox.AsNoTracking().Where(row => row.DoneAt != null)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.True(row.Recipient is null && row.TextBody is null && row.HtmlBody is null));
    }

    [Fact]
    public async Task WithoutSmtpDevelopmentWritesEachMailToThePickupDirectory()
    {
        var pickup = Path.Combine(Fixture.Directory, "pickup-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IdentityHost"] = await Fixture.CreateDatabaseAsync(),
            ["Email:Smtp:Host"] = string.Empty,
            ["Email:PickupDirectory"] = pickup,
        });
        using var client = host.CreateClient();

        var user = await IdentityServerFixture.CreateUserWithEmailAsync(client);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Directory.Exists(pickup) || Directory.GetFiles(pickup, "*.eml").Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "No .eml file appeared in the pickup directory.");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        var message = await MimeKit.MimeMessage.LoadAsync(Directory.GetFiles(pickup, "*.eml").Single(), TestContext.Current.CancellationToken);
        Assert.Equal(user.Email, message.To.Mailboxes.Single().Address);
        Assert.Contains("/account/verify-email?token=", message.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Email:Smtp:Host", "", "Email:Smtp:Host is required outside Development")]
    [InlineData("Email:From", "", "Email:From is required outside Development")]
    [InlineData("OpenIddict:Issuer", "", "OpenIddict:Issuer is required outside Development")]
    [InlineData("Email:Smtp:Security", "Sometimes", "Email:Smtp:Security")]
    [InlineData("Email:Outbox:RetryBaseDelay", "00:00:00", "Email:Outbox:RetryBaseDelay")]
    public async Task StartupFailsOutsideDevelopmentWithoutASenderNamingTheKey(string key, string value, string message)
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IdentityHost"] = await Fixture.CreateDatabaseAsync(),
            ["OpenIddict:RequireHttps"] = "false",
            ["OpenIddict:Issuer"] = IdentityServerFixture.Authority.ToString(),
            ["OpenIddict:Clients:0:ClientId"] = IdentityServerFixture.ClientId,
            ["OpenIddict:Clients:0:GrantTypes:0"] = "password",
            ["OpenIddict:Clients:0:Scopes:0"] = "api",
            [key] = value,
        }, environment: "Production");

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(message, StringComparison.Ordinal));
    }

    private async Task<int> FailedMailsAsync()
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Outbox
            .CountAsync(row => row.DoneAt == null && row.Attempts > 0, TestContext.Current.CancellationToken);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteOutboxTests(SqliteServerFixture fixture) : OutboxTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlOutboxTests(MySqlServerFixture fixture) : OutboxTests(fixture), IClassFixture<MySqlServerFixture>;
