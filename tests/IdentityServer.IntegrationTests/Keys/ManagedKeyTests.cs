using System.Net;
using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Keys;

/// <summary>
/// Signing keys the server manages itself: stored protected in the database, shared by every node, announced
/// before they sign, rotated on schedule and removed once every token they signed has expired.
/// </summary>
public abstract class ManagedKeyTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly TimeSpan RotationInterval = TimeSpan.FromDays(90);
    private static readonly TimeSpan PropagationTime = TimeSpan.FromDays(14);

    // Note: the fixture's refresh tokens live 14 days; a retired key stays 5 minutes longer than that.
    private static readonly TimeSpan Retention = TimeSpan.FromDays(14) + TimeSpan.FromMinutes(5);

    [Fact]
    public async Task SigningKeyIsStoredInTheDatabaseProtectedByDataProtection()
    {
        var token = await Fixture.GetAccessTokenAsync(Client);
        var keys = await StoredServerKeys.ReadAsync(Fixture.Host);
        var jwks = await GetKeySetAsync(Client);

        var signing = Assert.Single(keys, key => key.Use == ServerKey.SigningUse);
        Assert.Equal(new JsonWebToken(token).Kid, signing.Id);
        Assert.Equal("RS256", signing.Algorithm);
        Assert.Equal(signing.Id, Assert.Single(jwks.Keys).Kid);
        Assert.Equal("A256KW", Assert.Single(keys, key => key.Use == ServerKey.EncryptionUse).Algorithm);

        // Note: the stored bytes are not a private key anyone can import; the server's key ring opens them.
        using var rsa = RSA.Create();
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(signing.ProtectedKey), out _));
        var opened = (RsaSecurityKey)StoredServerKeys.Unprotect(Fixture.Host, signing);
        Assert.Equal(Assert.Single(jwks.Keys).N, Base64UrlEncoder.Encode(opened.Rsa.ExportParameters(false).Modulus));
    }

    [Fact]
    public async Task NodesStartingTogetherOnANewDatabaseCreateOneKey()
    {
        var database = await Fixture.CreateDatabaseAsync();
        await using var first = Fixture.CreateHost(OnDatabase(database));
        await using var second = Fixture.CreateHost(OnDatabase(database));

        // Note: both start (migrate, seed roles, clients and the admin, create keys) at the same moment.
        var clients = await Task.WhenAll(Task.Run(first.CreateClient), Task.Run(second.CreateClient));
        using var a = clients[0];
        using var b = clients[1];

        var keys = await StoredServerKeys.ReadAsync(first);
        Assert.Single(keys, key => key.Use == ServerKey.SigningUse);
        Assert.Single(keys, key => key.Use == ServerKey.EncryptionUse);
        Assert.Equal(Kids(await GetKeySetAsync(a)), Kids(await GetKeySetAsync(b)));
    }

    [Fact]
    public async Task CanSignWithManagedEs256Keys()
    {
        var database = await Fixture.CreateDatabaseAsync();
        await using var host = Fixture.CreateHost(OnDatabase(database, ("OpenIddict:Keys:SigningAlgorithm", "ES256")));
        using var client = host.CreateClient();

        var token = new JsonWebToken(await Fixture.GetAccessTokenAsync(client, admin: true));
        var key = Assert.Single((await GetKeySetAsync(client)).Keys);

        Assert.Equal("ES256", token.Alg);
        Assert.Equal(token.Kid, key.Kid);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("P-256", key.Crv);
        Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(client, token.EncodedToken));
    }

    [Fact]
    public async Task KeysRotateAcrossNodesAnnouncedBeforeUseAndRemovedAfterTheirTokensExpire()
    {
        var clock = new TestClock();
        var database = await Fixture.CreateDatabaseAsync();
        await using var hostA = Fixture.CreateHost(OnDatabase(database), services: services => services.AddSingleton<TimeProvider>(clock));
        await using var hostB = Fixture.CreateHost(OnDatabase(database), services: services => services.AddSingleton<TimeProvider>(clock));
        using var nodeA = hostA.CreateClient();
        using var nodeB = hostB.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(nodeA);

        var first = await LoginAsync(nodeA, userName, password);
        var firstKid = first.Kid;
        Assert.Equal([firstKid], Kids(await GetKeySetAsync(nodeA)));

        // Once the rotation date is within the propagation time, the node that notices first creates the next
        // key and announces it; the other reads it from the database. It signs nothing yet.
        clock.Advance(RotationInterval - PropagationTime);
        await ServerKeyRefresh.WaitUntilCurrentAsync(clock, hostA, hostB);
        var announcedAtA = await GetKeySetAsync(nodeA);
        var announcedAtB = await GetKeySetAsync(nodeB);
        var secondKid = Assert.Single(Kids(announcedAtA), kid => kid != firstKid);
        Assert.Equal(Kids(announcedAtA), Kids(announcedAtB));
        clock.Advance(TimeSpan.FromDays(1));
        await ServerKeyRefresh.WaitUntilCurrentAsync(clock, hostA, hostB);
        var during = await LoginAsync(nodeB, userName, password);
        Assert.Equal(firstKid, during.Kid);
        var refreshToken = during.RefreshToken;

        // Just past the rotation date: both nodes sign with the new key; the old one still validates, and the
        // refresh token it signed (13 days old, of 14) is still redeemed.
        clock.Advance(PropagationTime - TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await ServerKeyRefresh.WaitUntilCurrentAsync(clock, hostA, hostB);
        var afterAtA = await LoginAsync(nodeA, userName, password);
        var afterAtB = await LoginAsync(nodeB, userName, password);
        Assert.Equal(secondKid, afterAtA.Kid);
        Assert.Equal(secondKid, afterAtB.Kid);
        Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(nodeB, TokenForge.Resign(afterAtA.AccessToken, await KeyAsync(hostA, firstKid))));
        var redeemed = await IdentityServerFixture.RefreshAsync(nodeA, refreshToken);
        Assert.False(redeemed.IsError, redeemed.Raw);

        // Once every token the old key signed has expired (refresh tokens included), it is gone everywhere.
        var oldKey = await KeyAsync(hostA, firstKid);
        clock.Advance(Retention + TimeSpan.FromMinutes(1));
        await ServerKeyRefresh.WaitUntilCurrentAsync(clock, hostA, hostB);
        var fresh = await LoginAsync(nodeA, userName, password);
        Assert.Equal([secondKid], Kids(await GetKeySetAsync(nodeA)));
        Assert.Equal([secondKid], Kids(await GetKeySetAsync(nodeB)));
        Assert.DoesNotContain(await StoredServerKeys.ReadAsync(hostA), key => key.Id == firstKid);

        // Note: the same token, signed by the removed key, is refused by both nodes' endpoints (userinfo and the
        // server's own API); the control shows the token itself is fine.
        var signedByRemovedKey = TokenForge.Resign(fresh.AccessToken, oldKey);
        foreach (var node in new[] { nodeA, nodeB })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoStatusAsync(node, signedByRemovedKey));
            Assert.Equal(HttpStatusCode.Unauthorized, await OwnAccountStatusAsync(node, signedByRemovedKey));
            Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(node, fresh.AccessToken));
            Assert.Equal(HttpStatusCode.OK, await OwnAccountStatusAsync(node, fresh.AccessToken));
        }
    }

    [Fact]
    public async Task ChangingTheAlgorithmAnnouncesAKeyOfTheNewAlgorithmFirst()
    {
        var clock = new TestClock();
        var database = await Fixture.CreateDatabaseAsync();
        await using (var rsaHost = Fixture.CreateHost(OnDatabase(database), services: services => services.AddSingleton<TimeProvider>(clock)))
        {
            using var client = rsaHost.CreateClient();
            Assert.Equal("RS256", new JsonWebToken(await Fixture.GetAccessTokenAsync(client, admin: true)).Alg);
        }

        await using var ecHost = Fixture.CreateHost(OnDatabase(database, ("OpenIddict:Keys:SigningAlgorithm", "ES256")),
            services: services => services.AddSingleton<TimeProvider>(clock));
        using var ecClient = ecHost.CreateClient();
        var stillRsa = new JsonWebToken(await Fixture.GetAccessTokenAsync(ecClient, admin: true));
        var announced = await GetKeySetAsync(ecClient);
        clock.Advance(PropagationTime + TimeSpan.FromMinutes(1));
        await ServerKeyRefresh.WaitUntilCurrentAsync(clock, ecHost);
        var nowEc = new JsonWebToken(await Fixture.GetAccessTokenAsync(ecClient, admin: true));

        Assert.Equal("RS256", stillRsa.Alg);
        Assert.Equal(["EC", "RSA"], announced.Keys.Select(key => key.Kty).Order());
        Assert.Equal("ES256", nowEc.Alg);
    }

    private static IEnumerable<KeyValuePair<string, string?>> OnDatabase(string connectionString, params (string Key, string Value)[] settings) =>
        new Dictionary<string, string?> { ["ConnectionStrings:IdentityHost"] = connectionString }
            .Concat(settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)));

    private static async Task<AsymmetricSecurityKey> KeyAsync(IdentityServerHost host, string kid) =>
        (await StoredServerKeys.FindSigningKeyAsync(host, kid)).Key;

    private static async Task<(string AccessToken, string RefreshToken, string Kid)> LoginAsync(
        HttpClient client, string userName, string password)
    {
        var response = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        Assert.False(response.IsError, response.Raw);
        return (response.AccessToken!, response.RefreshToken!, new JsonWebToken(response.AccessToken).Kid);
    }

    private static async Task<Duende.IdentityModel.Jwk.JsonWebKeySet> GetKeySetAsync(HttpClient client)
    {
        var response = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);
        Assert.False(response.IsError, response.Error);
        return response.KeySet!;
    }

    private static string[] Kids(Duende.IdentityModel.Jwk.JsonWebKeySet keys) => [.. keys.Keys.Select(key => key.Kid).Order(StringComparer.Ordinal)];

    private static async Task<HttpStatusCode> UserInfoStatusAsync(HttpClient client, string token)
    {
        var response = await client.GetUserInfoAsync(new UserInfoRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/userinfo").ToString(),
            Token = token,
        }, TestContext.Current.CancellationToken);
        return response.HttpStatusCode;
    }

    private static async Task<HttpStatusCode> OwnAccountStatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{new JsonWebToken(token).Subject}");
        request.SetBearerToken(token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteManagedKeyTests(SqliteServerFixture fixture)
    : ManagedKeyTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlManagedKeyTests(MySqlServerFixture fixture)
    : ManagedKeyTests(fixture), IClassFixture<MySqlServerFixture>;
