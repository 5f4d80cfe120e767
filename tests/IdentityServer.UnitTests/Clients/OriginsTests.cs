using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.UnitTests.Clients;

/// <summary>CORS origins are origins as browsers send them, nothing more, and a bad one fails start-up naming its key.</summary>
public sealed class OriginsTests
{
    [Theory]
    [InlineData("https://app.example", "https://app.example")]
    [InlineData("http://localhost:5300", "http://localhost:5300")]
    [InlineData("HTTPS://App.Example", "https://app.example")]
    [InlineData("https://app.example:443", "https://app.example")]
    [InlineData("https://app.example:8443", "https://app.example:8443")]
    public void NormalizeGivesTheOriginABrowserSends(string value, string origin)
    {
        Assert.Equal(origin, Origins.Normalize(value));
    }

    [Theory]
    [InlineData("https://app.example/")]
    [InlineData("https://app.example/callback")]
    [InlineData("https://app.example?x=1")]
    [InlineData("https://app.example#top")]
    [InlineData("https://*.app.example")]
    [InlineData("*")]
    [InlineData("null")]
    [InlineData("app.example")]
    [InlineData("https://user@app.example")]
    [InlineData("ftp://app.example")]
    [InlineData("")]
    public void NormalizeRefusesAnythingButAnOrigin(string value)
    {
        Assert.Null(Origins.Normalize(value));
    }

    [Fact]
    public void OriginOfARedirectUriIsItsSchemeHostAndPort()
    {
        Assert.Equal("http://localhost:5300", Origins.Of(new Uri("http://localhost:5300/callback?x=1")));
        Assert.Null(Origins.Of(new Uri("com.example.app:/oauth2redirect")));
    }

    [Fact]
    public void ClientFailsGivenACorsOriginWithAPathNamingTheKey()
    {
        var client = new ClientRegistration
        {
            ClientId = "spa",
            GrantTypes = ["authorization_code"],
            RedirectUris = ["https://spa.example/callback"],
            AllowedCorsOrigins = ["https://spa.example", "https://cdn.example/app"],
        };

        var result = new ClientRegistrationValidator(Options.Create(new ApiResourceOptions()))
            .Validate(null, new ClientRegistrationOptions { Clients = [client] });

        Assert.Equal(
            ["OpenIddict:Clients:0:AllowedCorsOrigins:1 must be an origin (scheme://host[:port], http or https) without a path, query, fragment or wildcard."],
            result.Failures);
    }
}
