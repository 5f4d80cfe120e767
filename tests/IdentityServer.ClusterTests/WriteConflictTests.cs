using System.Net;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>The rules stay exact when racing requests land on different members and meet only at certification.</summary>
public sealed class WriteConflictTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TwentyRegistrationsOfOneNameOverThreeNodesGiveOneCreatedAndNineteenConflicts()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var clients = fixture.Nodes.Select(node => node.CreateClient()).ToArray();
        // Note: ten rounds: a lost race whose error was swallowed (EF Core's savepoint release ignores its errors) once
        // answered 201 for an account that was rolled back, in about one round of five.
        for (var round = 0; round < 10; round++)
        {
            var userName = ClusterFixture.NewUserName("race");
            using var start = new SemaphoreSlim(0);
            var attempts = Enumerable.Range(0, 20).Select(async attempt =>
            {
                await start.WaitAsync();
                using var response = await ClusterFixture.RegisterAsync(clients[attempt % 3], userName, ClusterFixture.NewPassword());
                return (response.StatusCode, Id: response.StatusCode == HttpStatusCode.Created
                    ? (await ClusterFixture.JsonAsync(response)).GetProperty("id").GetString()
                    : null);
            }).ToList();
            start.Release(20);
            var answers = await Task.WhenAll(attempts);

            Assert.Equal(19, answers.Count(answer => answer.StatusCode == HttpStatusCode.Conflict));
            var created = Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.Created);
            // Note: the account acknowledged is the one stored, with its role, on every member.
            for (var member = 0; member < 3; member++)
            {
                Assert.Equal(1, await fixture.Cluster.CountAsync(member, ClusterFixture.Database,
                    $"SELECT COUNT(*) FROM AspNetUsers WHERE UserName = '{userName}'"));
                Assert.Equal(1, await fixture.Cluster.CountAsync(member, ClusterFixture.Database,
                    $"SELECT COUNT(*) FROM AspNetUsers u JOIN AspNetUserRoles r ON r.UserId = u.Id WHERE u.Id = '{created.Id}'"));
            }
        }
    }

    [Fact]
    public async Task FiftyWrongPasswordsOverThreeNodesAreAllCountedWithOneLockout()
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        var clients = fixture.Nodes.Select(node => node.CreateClient()).ToArray();
        var (userName, password, _) = await ClusterFixture.SignedInUserAsync(clients[0]);
        var userId = await UserIdAsync(userName);

        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, 50).Select(async attempt =>
        {
            await start.WaitAsync();
            using var response = await ClusterFixture.PasswordGrantAsync(clients[attempt % 3], userName, password + "-wrong-" + attempt);
            return (response.StatusCode, Error: (await ClusterFixture.JsonAsync(response)).GetProperty("error").GetString());
        }).ToList();
        start.Release(50);
        var answers = await Task.WhenAll(attempts);
        await Task.Delay(500);

        // Note: the threshold is 30. Each guess is one audit event; a guess that arrives once the account is locked is
        // refused without counting; the 30th counted one locks the account and resets the count, and any counted after
        // it start again from zero. So every member holds the same count, the counted guesses less 30.
        var failed = AuditLines(userId, "login.failed");
        var counted = failed.Count(line => !line.Contains("account locked or disabled", StringComparison.Ordinal));
        var lockouts = AuditLines(userId, "login.locked_out").Count;
        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), answer));
        Assert.Equal(50, failed.Count + lockouts);
        Assert.Equal(1, lockouts);
        var remaining = await fixture.Cluster.CountAsync(0, ClusterFixture.Database,
            $"SELECT AccessFailedCount FROM AspNetUsers WHERE Id = '{userId}'");
        // Note: at most: a guess counted between the 30th and the lockout's reset is reset with it.
        Assert.InRange(remaining, 0, counted + lockouts - 30);
        for (var member = 0; member < 3; member++)
        {
            Assert.Equal(remaining, await fixture.Cluster.CountAsync(member, ClusterFixture.Database,
                $"SELECT AccessFailedCount FROM AspNetUsers WHERE Id = '{userId}'"));
            Assert.Equal(1, await fixture.Cluster.CountAsync(member, ClusterFixture.Database,
                $"SELECT COUNT(*) FROM AspNetUsers WHERE Id = '{userId}' AND LockoutEnd IS NOT NULL"));
        }
    }

    private List<string> AuditLines(string userId, string auditEvent) =>
        fixture.Nodes.SelectMany(node => node.Output.Split('\n'))
            .Where(line => line.Contains("Audit " + auditEvent + ":", StringComparison.Ordinal) && line.Contains(userId, StringComparison.Ordinal))
            .ToList();

    private async Task<string> UserIdAsync(string userName)
    {
        await using var connection = new MySql.Data.MySqlClient.MySqlConnection(
            fixture.Cluster.ConnectionString(0, ClusterFixture.Database));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SET SESSION wsrep_sync_wait = 1; SELECT Id FROM AspNetUsers WHERE UserName = @name";
        command.Parameters.AddWithValue("@name", userName);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
