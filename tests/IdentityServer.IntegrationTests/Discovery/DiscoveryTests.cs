using Duende.IdentityModel.Client;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Discovery;

/// <summary>Discovery and JWKS, read the way a client library reads them.</summary>
public sealed class DiscoveryTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task DiscoveryAdvertisesTokenEndpointGrantsScopesAndKeys()
    {
        var discovery = await Client.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = IdentityServerFixture.Authority.ToString(),
            Policy = { RequireHttps = false },
        }, TestContext.Current.CancellationToken);

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(IdentityServerFixture.Authority.ToString(), discovery.Issuer);
        Assert.Equal(new Uri(IdentityServerFixture.Authority, "connect/token").ToString(), discovery.TokenEndpoint);
        Assert.Contains("password", discovery.GrantTypesSupported);
        Assert.Contains("refresh_token", discovery.GrantTypesSupported);
        Assert.Superset(
            new HashSet<string>(["openid", "profile", "roles", "offline_access", "api"]),
            new HashSet<string>(discovery.ScopesSupported));
        var key = Assert.Single(discovery.KeySet!.Keys);
        Assert.Equal("RSA", key.Kty);
        Assert.Equal("sig", key.Use);
        Assert.False(string.IsNullOrEmpty(key.Kid));
        Assert.True(string.IsNullOrEmpty(key.D), "The JWKS must never publish private key material.");
    }

    [Fact]
    public async Task DiscoveryAdvertisesTheAuthorizationCodeFlowWithS256PkceOnly()
    {
        var discovery = await Client.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = IdentityServerFixture.Authority.ToString(),
            Policy = { RequireHttps = false },
        }, TestContext.Current.CancellationToken);

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(new Uri(IdentityServerFixture.Authority, "connect/authorize").ToString(), discovery.AuthorizeEndpoint);
        Assert.Equal(new Uri(IdentityServerFixture.Authority, "connect/endsession").ToString(), discovery.EndSessionEndpoint);
        Assert.Contains("authorization_code", discovery.GrantTypesSupported);
        Assert.Equal(["code"], discovery.ResponseTypesSupported);
        Assert.Equal(["S256"], discovery.CodeChallengeMethodsSupported);
    }
}
