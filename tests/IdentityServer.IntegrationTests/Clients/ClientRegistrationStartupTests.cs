using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Clients;

/// <summary>A client configuration that cannot work stops the server at start-up, and the log names the key to fix.</summary>
public sealed class ClientRegistrationStartupTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Theory]
    [InlineData("OpenIddict:Clients:20:ClientSecret (or Jwks or JwksUri) is required for the client_credentials grant",
        "OpenIddict:Clients:20:ClientId=robot", "OpenIddict:Clients:20:GrantTypes:0=client_credentials", "OpenIddict:Clients:20:Scopes:0=api")]
    [InlineData("OpenIddict:Clients:20:Scopes has 'phone'",
        "OpenIddict:Clients:20:ClientId=caller", "OpenIddict:Clients:20:GrantTypes:0=password", "OpenIddict:Clients:20:Scopes:0=phone")]
    [InlineData("OpenIddict:Clients:20:RedirectUris:0 must be an absolute URI without a fragment or wildcard",
        "OpenIddict:Clients:20:ClientId=spa", "OpenIddict:Clients:20:GrantTypes:0=authorization_code",
        "OpenIddict:Clients:20:RedirectUris:0=https://*.spa.example/callback", "OpenIddict:Clients:20:Scopes:0=openid")]
    [InlineData("OpenIddict:Clients:20:RedirectUris:0 must be an absolute URI without a fragment or wildcard",
        "OpenIddict:Clients:20:ClientId=spa", "OpenIddict:Clients:20:GrantTypes:0=authorization_code",
        "OpenIddict:Clients:20:RedirectUris:0=/signin-oidc", "OpenIddict:Clients:20:Scopes:0=openid")]
    public async Task StartupFailsGivenInvalidClientSettingNamingTheKey(string message, params string[] settings)
    {
        await using var host = Fixture.CreateHost(settings.Select(setting => setting.Split('=', 2))
            .ToDictionary(pair => pair[0], string? (pair) => pair[1]));

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartupFailsGivenALoginClientWithoutThePasswordGrantNamingTheKey()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Accounts:LoginClientId"] = IdentityServerFixture.MachineClientId,
        });

        Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(host.Logs.Lines, line => line.Contains(
            $"Accounts:LoginClientId is '{IdentityServerFixture.MachineClientId}', but no client in OpenIddict:Clients " +
            "with that id is allowed the password grant.", StringComparison.Ordinal));
    }
}
