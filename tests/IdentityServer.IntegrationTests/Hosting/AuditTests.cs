using System.Net.Http.Json;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>Security events reach the log as structured audit events naming the user and the client, never a secret.</summary>
public sealed class AuditTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    private static readonly string[] UserAndAdmin = ["user", "admin"];

    [Fact]
    public async Task SecurityEventsOfAScenarioAreAudited()
    {
        await using var host = Fixture.CreateHost();
        using var client = host.CreateClient();

        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        var userId = new JsonWebToken(tokens.AccessToken).Subject;
        await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password + "-wrong");
        await IdentityServerFixture.RequestPasswordTokenAsync(client, IdentityServerFixture.NewUserName(), password);
        await IdentityServerFixture.RefreshAsync(client, tokens.RefreshToken!);
        var second = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        var revoked = await IdentityServerFixture.RevokeAsync(client, second.RefreshToken!);
        var admin = await Fixture.GetAccessTokenAsync(client, admin: true);
        using var promote = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{userId}/roles")
        {
            Content = JsonContent.Create(new { roles = UserAndAdmin }),
        };
        promote.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin);
        using (await client.SendAsync(promote, TestContext.Current.CancellationToken))
        {
        }

        using var change = new HttpRequestMessage(HttpMethod.Post, "/api/account/password")
        {
            Content = JsonContent.Create(new { currentPassword = password, newPassword = IdentityServerFixture.NewPassword() }),
        };
        change.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using (await client.SendAsync(change, TestContext.Current.CancellationToken))
        {
        }

        var audit = host.Logs.Lines.Where(line => line.Contains("SourceContext=\"IdentityHost.Audit\"", StringComparison.Ordinal)).ToList();
        Assert.Contains(audit, line => line.StartsWith($"Audit \"user.registered\": user \"{userId}\"", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"login.succeeded\": user \"{userId}\", client \"postman\"", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"login.failed\": user \"{userId}\", client \"postman\"", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith("Audit \"login.failed\": user \"(unknown)\"", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"token.refreshed\": user \"{userId}\"", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"tokens.revoked\": user \"{userId}\"", StringComparison.Ordinal) &&
            line.Contains("password changed", StringComparison.Ordinal));
        Assert.False(revoked.IsError, revoked.Raw);
        Assert.Contains(audit, line => line.StartsWith($"Audit \"token.revoked\": user \"{userId}\", client \"postman\"", StringComparison.Ordinal) &&
            line.Contains("refresh_token", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"user.roles_changed\": user \"{userId}\"", StringComparison.Ordinal) &&
            line.Contains("from [user] to [", StringComparison.Ordinal) && line.Contains("admin", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith($"Audit \"password.changed\": user \"{userId}\"", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, line => line.Contains(password, StringComparison.Ordinal) ||
            line.Contains(tokens.RefreshToken!, StringComparison.Ordinal) || line.Contains(tokens.AccessToken!, StringComparison.Ordinal) ||
            line.Contains(second.RefreshToken!, StringComparison.Ordinal) || line.Contains(admin, StringComparison.Ordinal));
    }
}
