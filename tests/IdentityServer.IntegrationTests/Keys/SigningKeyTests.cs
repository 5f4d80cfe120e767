using System.Net;
using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.IdentityServer.IntegrationTests.Keys;

/// <summary>Where the signing key comes from (managed, or a configured file), and that it survives restarts.</summary>
public sealed class SigningKeyTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task TokensIssuedBeforeRestartStayValid()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken!;

        await using var restarted = Fixture.CreateHost();
        using var client = restarted.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{new JsonWebToken(token).Subject}");
        request.SetBearerToken(token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var keys = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(new JsonWebToken(token).Kid, keys.KeySet!.Keys.Select(key => key.Kid));
    }

    [Fact]
    public async Task ServerStartsOutsideDevelopmentWithManagedKeysAndNoKeyFiles()
    {
        await using var host = Fixture.CreateHost(ProductionSettings("production-managed.db"), environment: "Production");
        using var client = host.CreateClient();

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(client, Fixture.AdminUserName, Fixture.AdminPassword, "api");
        var keys = await GetKeySetAsync(client);

        Assert.False(response.IsError, response.Raw);
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(token.Kid, Assert.Single(keys.Keys).Kid);
        Assert.Contains(await StoredServerKeys.ReadAsync(host), key => key.Id == token.Kid);
    }

    [Theory]
    [InlineData("OpenIddict:Keys:SigningAlgorithm", "HS256", "OpenIddict:Keys:SigningAlgorithm must be RS256 or ES256")]
    [InlineData("OpenIddict:Keys:PropagationTime", "100.00:00:00", "OpenIddict:Keys:RotationInterval must be longer than OpenIddict:Keys:PropagationTime")]
    [InlineData("OpenIddict:Keys:RefreshInterval", "20.00:00:00", "OpenIddict:Keys:PropagationTime must be longer than OpenIddict:Keys:RefreshInterval")]
    public async Task StartupFailsGivenInvalidKeySettingNamingTheKey(string key, string value, string message)
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?> { [key] = value });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerSignsWithConfiguredPasswordProtectedPfxOutsideDevelopment()
    {
        var pfxPath = Path.Combine(Fixture.Directory, "configured-signing.pfx");
        var encryptionPath = Path.Combine(Fixture.Directory, "configured-encryption-pfx.pem");
        var pfxPassword = IdentityServerFixture.NewPassword();
        using (var rsa = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=IdentityHost test signing", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfxPath,
                certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, pfxPassword),
                TestContext.Current.CancellationToken);
        }

        using (var encryption = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(encryptionPath, encryption.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        }

        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:IdentityHost"] = $"Data Source={Path.Combine(Fixture.Directory, "production-pfx.db")}",
            ["OpenIddict:Keys:SigningKeyPath"] = pfxPath,
            ["OpenIddict:Keys:SigningKeyPassword"] = pfxPassword,
            ["OpenIddict:Keys:EncryptionKeyPath"] = encryptionPath,
            ["OpenIddict:RequireHttps"] = "false",
            // Note: outside Development mail links need a fixed issuer.
            ["OpenIddict:Issuer"] = IdentityServerFixture.Authority.ToString(),
            ["OpenIddict:Clients:0:ClientId"] = IdentityServerFixture.ClientId,
            ["OpenIddict:Clients:0:GrantTypes:0"] = "password",
            ["OpenIddict:Clients:0:Scopes:0"] = "api",
        }, environment: "Production");
        using var client = host.CreateClient();

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(client, Fixture.AdminUserName, Fixture.AdminPassword, "api");
        var keys = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);

        Assert.False(response.IsError, response.Raw);
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(token.Kid, Assert.Single(keys.KeySet!.Keys).Kid);
        Assert.Empty(await StoredServerKeys.ReadAsync(host));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(pfxPassword, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task ServerSignsWithConfiguredPemKeyOutsideDevelopment(string algorithm)
    {
        var signingPath = Path.Combine(Fixture.Directory, $"configured-{algorithm}.pem");
        var encryptionPath = Path.Combine(Fixture.Directory, "configured-encryption.pem");
        using (var signing = algorithm == "ES256" ? (AsymmetricAlgorithm)ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048))
        {
            await File.WriteAllTextAsync(signingPath, signing.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        }

        using (var encryption = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(encryptionPath, encryption.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        }

        // Note: a database of its own, because client synchronization makes the stored clients match this
        // host's configuration, which would change the shared fixture's clients under the other tests.
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:IdentityHost"] = $"Data Source={Path.Combine(Fixture.Directory, $"production-{algorithm}.db")}",
            ["OpenIddict:Keys:SigningKeyPath"] = signingPath,
            ["OpenIddict:Keys:EncryptionKeyPath"] = encryptionPath,
            ["OpenIddict:RequireHttps"] = "false",
            // Note: outside Development mail links need a fixed issuer.
            ["OpenIddict:Issuer"] = IdentityServerFixture.Authority.ToString(),
            ["OpenIddict:Clients:0:ClientId"] = IdentityServerFixture.ClientId,
            ["OpenIddict:Clients:0:GrantTypes:0"] = "password",
            ["OpenIddict:Clients:0:Scopes:0"] = "api",
        }, environment: "Production");
        using var client = host.CreateClient();

        var response = await IdentityServerFixture.RequestPasswordTokenAsync(client, Fixture.AdminUserName, Fixture.AdminPassword, "api");
        var keys = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);

        Assert.False(response.IsError, response.Raw);
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal(algorithm, token.Alg);
        var key = Assert.Single(keys.KeySet!.Keys);
        Assert.Equal(token.Kid, key.Kid);
        Assert.Equal(algorithm == "ES256" ? "EC" : "RSA", key.Kty);
        Assert.Empty(await StoredServerKeys.ReadAsync(host));
    }

    private Dictionary<string, string?> ProductionSettings(string databaseFile) => new()
    {
        // Note: a database of its own, because client synchronization makes the stored clients match this
        // host's configuration, which would change the shared fixture's clients under the other tests.
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:IdentityHost"] = $"Data Source={Path.Combine(Fixture.Directory, databaseFile)}",
        ["OpenIddict:RequireHttps"] = "false",
        // Note: outside Development mail links need a fixed issuer.
        ["OpenIddict:Issuer"] = IdentityServerFixture.Authority.ToString(),
        ["OpenIddict:Clients:0:ClientId"] = IdentityServerFixture.ClientId,
        ["OpenIddict:Clients:0:GrantTypes:0"] = "password",
        ["OpenIddict:Clients:0:Scopes:0"] = "api",
    };

    private static async Task<Duende.IdentityModel.Jwk.JsonWebKeySet> GetKeySetAsync(HttpClient client)
    {
        var response = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);
        Assert.False(response.IsError, response.Error);
        return response.KeySet!;
    }
}
