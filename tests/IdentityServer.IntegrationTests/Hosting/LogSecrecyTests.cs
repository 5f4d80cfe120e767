using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>Passwords, tokens and secrets never reach a log line, even with logging turned up.</summary>
public sealed class LogSecrecyTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task NoPasswordOrTokenAppearsInTheLogsOfAWholeScenario()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            // Note: an operator debugging an incident turns everything up; secrets must still stay out.
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Debug",
            ["Serilog:MinimumLevel:Override:OpenIddict"] = "Debug",
        });
        using var client = host.CreateClient();
        var secrets = new List<string> { Fixture.AdminPassword };

        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        secrets.Add(password);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        secrets.AddRange([tokens.AccessToken!, tokens.RefreshToken!, tokens.IdentityToken!]);
        var refreshed = await IdentityServerFixture.RefreshAsync(client, tokens.RefreshToken!);
        secrets.AddRange([refreshed.AccessToken!, refreshed.RefreshToken!]);
        var wrongPassword = password + "-wrong";
        secrets.Add(wrongPassword);
        await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, wrongPassword);
        using var login = await client.PostAsJsonAsync(
            "/api/auth/login", new { username = userName, password }, TestContext.Current.CancellationToken);
        var loginBody = await login.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        secrets.Add(loginBody.GetProperty("access_token").GetString()!);
        var admin = await IdentityServerFixture.RequestPasswordTokenAsync(client, Fixture.AdminUserName, Fixture.AdminPassword);
        secrets.Add(admin.AccessToken!);
        var adminCreated = IdentityServerFixture.NewPassword();
        secrets.Add(adminCreated);
        using var created = await IdentityServerFixture.RegisterAsync(
            client, IdentityServerFixture.NewUserName(), adminCreated, "admin", admin.AccessToken);

        // Note: mail links carry single-use tokens; neither they, the new password nor the address's mail may be logged.
        var withEmail = await IdentityServerFixture.CreateUserWithEmailAsync(client);
        secrets.Add(withEmail.Password);
        var verification = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(withEmail.Email), "/account/verify-email");
        secrets.Add(verification);
        using (await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/email/verify", new { token = verification }))
        using (await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/password/forgot", new { usernameOrEmail = withEmail.Email }))
        {
        }

        var reset = SmtpCatcher.TokenIn(await Fixture.Mail.LastToAsync(withEmail.Email, count: 2), "/account/reset-password");
        var newPassword = IdentityServerFixture.NewPassword();
        secrets.AddRange([reset, newPassword]);
        using (var done = await IdentityServerFixture.SendJsonAsync(client, HttpMethod.Post, "/api/account/password/reset", new { token = reset, newPassword }))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, done.StatusCode);
        }

        Assert.NotEmpty(host.Logs.Lines);
        Assert.Contains(host.Logs.Lines, line => line.Contains("/connect/token", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            // Note: a JWT's signature part alone is as good as the token for a replay-minded reader of logs.
            var tail = secret.Split('.')[^1];
            Assert.DoesNotContain(host.Logs.Lines, line => tail.Length >= 16 && line.Contains(tail, StringComparison.Ordinal));
        }
    }
}
