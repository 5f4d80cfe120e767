using System.Net;
using System.Net.Http.Json;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary>
/// The password policy of NIST SP 800-63B-4 / ASVS 5.0 V6: the common-password blocklist, context words, Unicode
/// normalization and the whole password verified, through registration, password change and the token endpoint.
/// </summary>
public abstract class PasswordPolicyTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Theory]
    [InlineData("1qaz2wsx3edc4rfv")] // among the 10,000 most common
    [InlineData("123456789012345")] // rank 382,098 of the built-in list: past the first 100,000
    [InlineData("PASSWORDpassword")] // listed in lower case
    [InlineData("ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ")] // fullwidth: the NFKC form is listed
    public async Task RegisterReturns400GivenCommonPassword(string password)
    {
        var usersBefore = await CountUsersAsync();

        using var response = await IdentityServerFixture.RegisterAsync(Client, IdentityServerFixture.NewUserName(), password);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["password"], Problem.ErrorFields(problem));
        Assert.Contains("common or leaked", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(usersBefore, await CountUsersAsync());
    }

    [Fact]
    public async Task RegisterReturns400GivenPasswordContainingTheUserName()
    {
        var userName = IdentityServerFixture.NewUserName();

        using var response = await IdentityServerFixture.RegisterAsync(
            Client, userName, "my name is " + userName.ToUpperInvariant() + " ok");

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("must not contain the user name", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterReturns400GivenPasswordContainingTheServiceName()
    {
        using var response = await IdentityServerFixture.RegisterAsync(
            Client, IdentityServerFixture.NewUserName(), "my identityhost pass phrase");

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("must not contain", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("IdentityHost", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePasswordReturns400GivenCommonPasswordAndKeepsTheOldOne()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/password")
        {
            Content = JsonContent.Create(new { currentPassword = password, newPassword = "qwertyuiopasdfgh" }),
        };
        request.SetBearerToken(token);

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.False((await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).IsError);
    }

    [Fact]
    public async Task HashIterationsFollowTheSettingAndOldHashesAreUpgradedAtSignIn()
    {
        await using var standard = Fixture.CreateHost(realPasswordHashing: true);
        using var standardClient = standard.CreateClient();
        var (existing, existingPassword) = await IdentityServerFixture.CreateUserAsync(standardClient);
        await using var stronger = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Accounts:PasswordHashIterations"] = "120000",
        });
        using var strongerClient = stronger.CreateClient();

        var before = await HashIterationsAsync(existing);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(strongerClient, existing, existingPassword);
        var (created, _) = await IdentityServerFixture.CreateUserAsync(strongerClient);

        Assert.Equal(100_000, before);
        Assert.False(login.IsError, login.Raw);
        Assert.Equal(120_000, await HashIterationsAsync(existing));
        Assert.Equal(120_000, await HashIterationsAsync(created));
    }

    [Fact]
    public async Task StartupFailsGivenHashIterationsBelowIdentitysDefaultNamingTheKey()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Accounts:PasswordHashIterations"] = "10000",
        });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains("Accounts:PasswordHashIterations", StringComparison.Ordinal));
    }

    /// <summary>The iteration count recorded in a user's stored hash (Identity's V3 format: big-endian at byte 5).</summary>
    private async Task<int> HashIterationsAsync(string userName)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>()
            .FindByNameAsync(userName);
        var hash = Convert.FromBase64String(user!.PasswordHash!);
        return (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4));
    }

    [Fact]
    public async Task PasswordIsNormalizedBeforeHashing()
    {
        var userName = IdentityServerFixture.NewUserName();
        // Note: "e" + combining acute (NFD) and the precomposed "é" (NFC) are the same password to a person.
        const string decomposed = "cafe\u0301 au lait, tout de suite";
        const string precomposed = "caf\u00e9 au lait, tout de suite";
        using var registered = await IdentityServerFixture.RegisterAsync(Client, userName, decomposed);

        var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, precomposed);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.False(token.IsError, token.Raw);
    }

    [Fact]
    public async Task WholePasswordIsVerifiedWithoutTruncation()
    {
        var userName = IdentityServerFixture.NewUserName();
        var password = new string('x', 70) + IdentityServerFixture.NewPassword() + "A";
        using var registered = await IdentityServerFixture.RegisterAsync(Client, userName, password);

        var lastCharacterWrong = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password[..^1] + "B");
        var exact = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal("invalid_grant", lastCharacterWrong.Error);
        Assert.False(exact.IsError, exact.Raw);
    }

    [Fact]
    public void BuiltInBlocklistHoldsOver100000Passwords()
    {
        var blocklist = Fixture.Host.Services.GetRequiredService<PasswordBlocklist>();

        Assert.True(blocklist.Count > 400_000, $"{blocklist.Count} passwords");
    }

    [Fact]
    public async Task ConfiguredBlocklistReplacesTheBuiltInOne()
    {
        var path = Path.Combine(Fixture.Directory, "our-own-blocklist.txt");
        await File.WriteAllLinesAsync(path, ["our very own banned phrase", "another banned phrase here"],
            TestContext.Current.CancellationToken);
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { ["Accounts:PasswordBlocklistPath"] = path });
        using var client = host.CreateClient();

        using var listed = await IdentityServerFixture.RegisterAsync(client, IdentityServerFixture.NewUserName(), "Our Very Own Banned Phrase");
        using var builtInOnly = await IdentityServerFixture.RegisterAsync(client, IdentityServerFixture.NewUserName(), "1qaz2wsx3edc4rfv");

        await Problem.ReadAsync(listed, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Created, builtInOnly.StatusCode);
    }

    [Fact]
    public async Task StartupFailsGivenMissingBlocklistNamingTheKey()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Accounts:PasswordBlocklistPath"] = Path.Combine(Fixture.Directory, "no-such-list.txt"),
        });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains("Accounts:PasswordBlocklistPath", StringComparison.Ordinal));
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqlitePasswordPolicyTests(SqliteServerFixture fixture)
    : PasswordPolicyTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlPasswordPolicyTests(MySqlServerFixture fixture)
    : PasswordPolicyTests(fixture), IClassFixture<MySqlServerFixture>;
