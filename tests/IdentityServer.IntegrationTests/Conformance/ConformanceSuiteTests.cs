using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Conformance;

/// <summary>
/// The conformance suite (<c>tests/Conformance</c>): strict third-party client libraries (oauth4webapi, openid-client,
/// jose) drive the identity server over real HTTP, on real Kestrel at a loopback port, through discovery, the code flow
/// with PKCE for a confidential and a public client, every authorization error redirect, refresh, revocation,
/// introspection, userinfo, end-session, client_credentials and CORS. Each case prints one result line; this test
/// fails listing every failed case with its detail. docs/security.md lists the clause each case covers.
/// </summary>
public abstract class ConformanceSuiteTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    /// <summary>
    /// Cases that fail today for a known reason, with that reason. A listed case that fails is reported as a warning; one
    /// that passes fails the test, so the list is emptied as the defects are fixed. Note: empty now, every case passes.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownFailures = new Dictionary<string, string>();

    private const string SpaClientId = "conformance-spa";
    private const string SpaRedirectUri = "http://spa.conformance.example:5300/callback";

    [Fact]
    public async Task StrictClientLibrariesAcceptEveryConformanceCase()
    {
        if (await ConformanceSuite.UnavailableReasonAsync() is { } reason)
        {
            Assert.False(Environment.GetEnvironmentVariable("IDENTITYHOST_REQUIRE_ALL") == "1",
                reason + " IDENTITYHOST_REQUIRE_ALL=1 makes that a failure.");
            Assert.Skip(reason);
        }

        var port = FreePorts.Next();
        var issuer = new Uri($"http://127.0.0.1:{port}/");
        await using var server = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:Issuer"] = issuer.ToString(),
            ["OpenIddict:Clients:30:ClientId"] = SpaClientId,
            ["OpenIddict:Clients:30:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:30:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:30:RedirectUris:0"] = SpaRedirectUri,
            ["OpenIddict:Clients:30:Scopes:0"] = "openid",
            ["OpenIddict:Clients:30:Scopes:1"] = "profile",
            ["OpenIddict:Clients:30:Scopes:2"] = "offline_access",
            ["OpenIddict:Clients:30:Scopes:3"] = "api",
        });
        server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        server.StartServer();
        using var client = new HttpClient { BaseAddress = issuer };
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);

        var (exitCode, results, output) = await ConformanceSuite.RunAsync(new Dictionary<string, string>
        {
            ["IDENTITYHOST_CONFORMANCE_ISSUER"] = issuer.ToString(),
            ["IDENTITYHOST_CONFORMANCE_USERNAME"] = userName,
            ["IDENTITYHOST_CONFORMANCE_PASSWORD"] = password,
            ["IDENTITYHOST_CONFORMANCE_WEB_CLIENT_ID"] = IdentityServerFixture.WebAppClientId,
            ["IDENTITYHOST_CONFORMANCE_WEB_CLIENT_SECRET"] = Fixture.WebAppClientSecret,
            ["IDENTITYHOST_CONFORMANCE_WEB_REDIRECT_URI"] = IdentityServerFixture.WebAppRedirectUri,
            ["IDENTITYHOST_CONFORMANCE_WEB_POST_LOGOUT_REDIRECT_URI"] = IdentityServerFixture.WebAppPostLogoutRedirectUri,
            ["IDENTITYHOST_CONFORMANCE_SPA_CLIENT_ID"] = SpaClientId,
            ["IDENTITYHOST_CONFORMANCE_SPA_REDIRECT_URI"] = SpaRedirectUri,
            ["IDENTITYHOST_CONFORMANCE_MACHINE_CLIENT_ID"] = IdentityServerFixture.MachineClientId,
            ["IDENTITYHOST_CONFORMANCE_MACHINE_CLIENT_SECRET"] = Fixture.MachineClientSecret,
            ["IDENTITYHOST_CONFORMANCE_RESOURCE_CLIENT_ID"] = IdentityServerFixture.ResourceClientId,
            ["IDENTITYHOST_CONFORMANCE_RESOURCE_CLIENT_SECRET"] = Fixture.ResourceClientSecret,
            ["IDENTITYHOST_CONFORMANCE_DEVICE_CLIENT_ID"] = IdentityServerFixture.DeviceClientId,
            ["IDENTITYHOST_CONFORMANCE_PAR_CLIENT_ID"] = IdentityServerFixture.ParOnlyClientId,
            ["IDENTITYHOST_CONFORMANCE_PAR_REDIRECT_URI"] = IdentityServerFixture.ParOnlyRedirectUri,
            ["IDENTITYHOST_CONFORMANCE_SIGNER_CLIENT_ID"] = IdentityServerFixture.SignerClientId,
            ["IDENTITYHOST_CONFORMANCE_SIGNER_PRIVATE_JWK"] = ConformanceKeys.PrivateJwk(Fixture.SignerKey),
            ["IDENTITYHOST_CONFORMANCE_API_RESOURCE"] = IdentityServerFixture.ResourceApiUri,
            ["IDENTITYHOST_CONFORMANCE_API_AUDIENCE"] = "resource_api",
            ["IDENTITYHOST_CONFORMANCE_EXCHANGE_AUDIENCE"] = IdentityServerFixture.OrdersApi,
            ["IDENTITYHOST_CONFORMANCE_EXCHANGE_RESOURCE"] = IdentityServerFixture.OrdersApiUri,
        });

        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(results.Count > 0, $"The suite reported no case (exit code {exitCode}):\n{output}");
        var unexpected = results.Where(result => !result.Ok && !KnownFailures.ContainsKey(result.Case)).ToList();
        var fixedNow = results.Where(result => result.Ok && KnownFailures.ContainsKey(result.Case)).ToList();
        foreach (var known in results.Where(result => !result.Ok && KnownFailures.ContainsKey(result.Case)))
        {
            TestContext.Current.AddWarning($"Known failure {known.Case} ({KnownFailures[known.Case]}): {known.Detail}");
        }

        Assert.True(unexpected.Count == 0 && fixedNow.Count == 0,
            string.Join('\n', unexpected.Select(result => $"{result.Case} failed: {result.Detail}")
                .Concat(fixedNow.Select(result => $"{result.Case} passes now: remove it from KnownFailures."))));
        Assert.Equal(results.Any(result => !result.Ok) ? 1 : 0, exitCode);
    }

}

public sealed class SqliteConformanceSuiteTests(SqliteServerFixture fixture)
    : ConformanceSuiteTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class MySqlConformanceSuiteTests(MySqlServerFixture fixture)
    : ConformanceSuiteTests(fixture), IClassFixture<MySqlServerFixture>;

/// <summary>Hands the conformance suite a client's private key, as the client itself would hold it (a JWK).</summary>
internal static class ConformanceKeys
{
    public static string PrivateJwk(Microsoft.IdentityModel.Tokens.RsaSecurityKey key)
    {
        var rsa = key.Rsa.ExportParameters(includePrivateParameters: true);
        static string B64(byte[]? value) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(value);
        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = key.KeyId, ["alg"] = "RS256", ["n"] = B64(rsa.Modulus), ["e"] = B64(rsa.Exponent),
            ["d"] = B64(rsa.D), ["p"] = B64(rsa.P), ["q"] = B64(rsa.Q), ["dp"] = B64(rsa.DP), ["dq"] = B64(rsa.DQ), ["qi"] = B64(rsa.InverseQ),
        });
    }
}
