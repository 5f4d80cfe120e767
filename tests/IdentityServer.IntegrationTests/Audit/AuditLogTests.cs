using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Audit;

/// <summary>
/// The audit table and <c>/api/audit</c>: every security event is stored (in the transaction of its change where there is
/// one), searchable by user, client, type and time with cursor pages, exportable as JSON lines, pruned after
/// <c>Audit:Retention</c>, and never holds a password.
/// </summary>
public abstract class AuditLogTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task RegistrationIsStoredWithTheAccount()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);

        var page = await SearchAsync($"userId={user.Id}&type={AuditEvents.UserRegistered}");

        var item = Assert.Single(page.Items);
        Assert.Equal("role user", item.GetProperty("detail").GetString());
        Assert.Matches("^[0-9a-f]{32}$", item.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task FailedLoginIsStoredWithItsClient()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName);

        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x")).IsError);

        var item = Assert.Single((await WaitForAsync($"userId={userId}&type={AuditEvents.LoginFailed}", 1)).Items);
        Assert.Equal(IdentityServerFixture.ClientId, item.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task EventOfARolledBackTransactionIsNeverStored()
    {
        var kept = "kept-" + Guid.NewGuid().ToString("N");
        var dropped = "dropped-" + Guid.NewGuid().ToString("N");
        foreach (var (userId, commit) in new[] { (dropped, false), (kept, true) })
        {
            await using var scope = Fixture.Host.Services.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            await using var transaction = await database.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            scope.ServiceProvider.GetRequiredService<SecurityAudit>().Write(AuditEvents.UserEnabled, userId);
            await database.SaveChangesAsync(TestContext.Current.CancellationToken);
            if (commit)
            {
                await transaction.CommitAsync(TestContext.Current.CancellationToken);
            }
        }

        // Note: the later event is stored, so the earlier one had every chance to be.
        Assert.Single((await WaitForAsync($"userId={kept}", 1)).Items);
        Assert.Empty((await SearchAsync($"userId={dropped}")).Items);
    }

    [Fact]
    public async Task EventOfAFailedSaveIsNeverStored()
    {
        var userId = "failed-" + Guid.NewGuid().ToString("N");
        await using (var scope = Fixture.Host.Services.CreateAsyncScope())
        {
            var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            await using var transaction = await database.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            scope.ServiceProvider.GetRequiredService<SecurityAudit>().Write(AuditEvents.UserEnabled, userId);
            // Note: a second user with the admin's name breaks the unique index, so the save that carries the event fails.
            database.Users.Add(new ApplicationUser { UserName = Fixture.AdminUserName, NormalizedUserName = Fixture.AdminUserName.ToUpperInvariant() });
            await Assert.ThrowsAsync<DbUpdateException>(() => database.SaveChangesAsync(TestContext.Current.CancellationToken));
        }

        var marker = "after-" + Guid.NewGuid().ToString("N");
        using (var scope = Fixture.Host.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<SecurityAudit>().Write(AuditEvents.UserEnabled, marker);
        }

        Assert.Single((await WaitForAsync($"userId={marker}", 1)).Items);
        Assert.Empty((await SearchAsync($"userId={userId}")).Items);
    }

    [Fact]
    public async Task PagesFollowTheCursorNewestFirstWithoutGapsOrRepeats()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x")).IsError);
        }

        var all = (await WaitForAsync($"userId={userId}", 5)).Items.Select(item => item.GetProperty("id").GetInt64()).ToList();
        var paged = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await SearchAsync($"userId={userId}&pageSize=2" + (cursor is null ? string.Empty : "&cursor=" + cursor));
            paged.AddRange(page.Items.Select(item => item.GetProperty("id").GetInt64()));
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(5, all.Count);
        Assert.Equal(all.OrderDescending(), all);
        Assert.Equal(all, paged);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task TimeRangeAndTypeNarrowTheSearch()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var now = Fixture.Clock.GetUtcNow();
        string Range(DateTimeOffset from, DateTimeOffset to) =>
            $"userId={user.Id}&from={Uri.EscapeDataString(from.ToString("o"))}&to={Uri.EscapeDataString(to.ToString("o"))}";

        Assert.Single((await SearchAsync(Range(now.AddMinutes(-1), now.AddMinutes(1)) + "&type=" + AuditEvents.UserRegistered)).Items);
        Assert.Empty((await SearchAsync(Range(now.AddMinutes(1), now.AddMinutes(2)))).Items);
        Assert.Empty((await SearchAsync($"userId={user.Id}&type={AuditEvents.LoginFailed}")).Items);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("pageSize=ten", "pageSize")]
    [InlineData("cursor=-4", "cursor")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-12-01T00:00:00", "from")]
    [InlineData("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to")]
    public async Task SearchFailsGivenABadQueryNamingTheParameter(string query, string field)
    {
        using var response = await GetAsync("/api/audit?" + query, await AdminTokenAsync());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task OneEventIsReadByItsId()
    {
        var user = await IdentityServerFixture.CreateUserWithEmailAsync(Client);
        var id = Assert.Single((await SearchAsync($"userId={user.Id}&type={AuditEvents.UserRegistered}")).Items).GetProperty("id").GetInt64();
        var token = await AdminTokenAsync();

        using var found = await GetAsync($"/api/audit/{id}", token);
        using var missing = await GetAsync($"/api/audit/{long.MaxValue}", token);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(user.Id, (await found.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("userId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ExportGivesOneJsonObjectPerLineOldestFirst()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName);
        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x")).IsError);
        await WaitForAsync($"userId={userId}", 2);

        using var response = await GetAsync($"/api/audit/export?userId={userId}", await AdminTokenAsync());
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([AuditEvents.UserRegistered, AuditEvents.LoginFailed], events.Select(item => item.GetProperty("type").GetString()));
        Assert.True(events[0].GetProperty("id").GetInt64() < events[1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task NoPasswordEverReachesTheTable()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var userId = await UserIdAsync(userName);
        var wrong = IdentityServerFixture.NewPassword();
        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, wrong)).IsError);
        // Note: a password typed into the user name field is not stored either.
        Assert.True((await IdentityServerFixture.RequestPasswordTokenAsync(Client, wrong, password)).IsError);
        await WaitForAsync($"userId={userId}", 2);

        using var response = await GetAsync("/api/audit/export", await AdminTokenAsync());
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditApiNeedsAnAdministratorsTokenWithTheAdminScope()
    {
        var user = await Fixture.GetAccessTokenAsync(Client);
        var plainAdmin = await IdentityServerFixture.RequestPasswordTokenAsync(Client, Fixture.AdminUserName, Fixture.AdminPassword);

        foreach (var path in new[] { "/api/audit", "/api/audit/1", "/api/audit/export" })
        {
            using var anonymous = await GetAsync(path, token: null);
            using var ordinary = await GetAsync(path, user);
            using var unscoped = await GetAsync(path, plainAdmin.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, ordinary.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, unscoped.StatusCode);
        }
    }

    [Fact]
    public async Task EventsOlderThanTheRetentionArePruned()
    {
        var marker = "pruned-" + Guid.NewGuid().ToString("N");
        var now = Fixture.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = Fixture.Host.Services.CreateAsyncScope())
        {
            var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            database.AuditRecords.AddRange(
                new AuditRecord { Type = AuditEvents.UserEnabled, UserId = marker, OccurredAt = now - TimeSpan.FromDays(91) },
                new AuditRecord { Type = AuditEvents.UserEnabled, UserId = marker, OccurredAt = now - TimeSpan.FromDays(89) });
            await database.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var pruned = await Fixture.Host.Services.GetRequiredService<AuditWriter>().PruneNowAsync(TestContext.Current.CancellationToken);

        Assert.True(pruned >= 1);
        var left = Assert.Single((await SearchAsync($"userId={marker}")).Items);
        Assert.Equal(now - TimeSpan.FromDays(89), left.GetProperty("occurredAt").GetDateTime(), TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("Audit:Retention", "00:00:00")]
    [InlineData("Audit:PruneInterval", "-00:01:00")]
    public async Task StartupFailsGivenAnInvalidAuditSettingNamingTheKey(string key, string value)
    {
        await using var host = Fixture.CreateHost([new(key, value)]);

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
    }

    private sealed record Page(IReadOnlyList<JsonElement> Items, string? Next);

    private async Task<Page> SearchAsync(string query)
    {
        using var response = await GetAsync("/api/audit?" + query, await AdminTokenAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var next = body.GetProperty("next");
        return new([.. body.GetProperty("items").EnumerateArray()], next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }

    /// <summary>Searches until at least <paramref name="count"/> events match: events outside a transaction are written in batches.</summary>
    private async Task<Page> WaitForAsync(string query, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var page = await SearchAsync(query);
            if (page.Items.Count >= count || DateTime.UtcNow > deadline)
            {
                return page;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    private string? _adminToken;

    private async Task<string> AdminTokenAsync() => _adminToken ??= await Fixture.GetAccessTokenAsync(Client, admin: true);

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.SetBearerToken(token);
        }

        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteAuditLogTests(SqliteServerFixture fixture) : AuditLogTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlAuditLogTests(MySqlServerFixture fixture) : AuditLogTests(fixture), IClassFixture<MySqlServerFixture>;
