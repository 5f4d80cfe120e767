using IdentityHost.IdentityServer.Clients;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.UnitTests.Clients;

/// <summary>A client configuration that cannot work fails start-up, each message naming the configuration key to fix.</summary>
public sealed class ClientRegistrationValidatorTests
{
    private const string Supported = "supported: authorization_code, password, refresh_token, client_credentials.";

    [Fact]
    public void PublicAndConfidentialClientsAreValid()
    {
        var result = Validate(PublicClient(), ConfidentialClient());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void NoClientIsValid()
    {
        Assert.True(Validate().Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ClientFailsGivenNoClientId(string clientId)
    {
        var client = PublicClient();
        client.ClientId = clientId;

        AssertFails(Validate(client), "OpenIddict:Clients:0:ClientId is required.");
    }

    [Theory]
    [InlineData("implicit")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData("Password")] // grant types are case-sensitive
    public void ClientFailsGivenAnUnsupportedGrantType(string grantType)
    {
        var client = PublicClient();
        client.GrantTypes.Add(grantType);

        AssertFails(Validate(client), $"OpenIddict:Clients:0:GrantTypes has '{grantType}'; {Supported}");
    }

    [Fact]
    public void ClientFailsGivenClientCredentialsWithoutASecret()
    {
        var client = ConfidentialClient();
        client.ClientSecret = null;

        AssertFails(Validate(client),
            "OpenIddict:Clients:0:ClientSecret is required for the client_credentials grant (a confidential client).");
    }

    [Fact]
    public void ClientFailsGivenAuthorizationCodeWithoutARedirectUri()
    {
        var client = PublicClient();
        client.RedirectUris.Clear();

        AssertFails(Validate(client), "OpenIddict:Clients:0:RedirectUris needs at least one URI for the authorization_code grant.");
    }

    [Theory]
    [InlineData("https://app.example/signin-oidc#done")] // a fragment
    [InlineData("https://*.app.example/signin-oidc")] // a wildcard host
    [InlineData("https://app.example/*")] // a wildcard path
    [InlineData("signin-oidc")] // relative
    [InlineData("/signin-oidc")] // relative too, though on Unix Uri reads it as file:///signin-oidc
    [InlineData("app.example/signin-oidc")]
    public void ClientFailsGivenARedirectUriThatCannotBeMatchedExactly(string uri)
    {
        var client = PublicClient();
        client.RedirectUris.Add(uri);

        AssertFails(Validate(client), "OpenIddict:Clients:0:RedirectUris:1 must be an absolute URI without a fragment or wildcard.");
    }

    [Theory]
    [InlineData("https://app.example/signed-out#bye")]
    [InlineData("https://app.example/*")]
    [InlineData("signed-out")]
    [InlineData("/signed-out")]
    public void ClientFailsGivenAPostLogoutRedirectUriThatCannotBeMatchedExactly(string uri)
    {
        var client = PublicClient();
        client.PostLogoutRedirectUris.Add(uri);

        AssertFails(Validate(client), "OpenIddict:Clients:0:PostLogoutRedirectUris:1 must be an absolute URI without a fragment or wildcard.");
    }

    [Theory]
    [InlineData("email")]
    [InlineData("API")]
    public void ClientFailsGivenAnUnknownScope(string scope)
    {
        var client = PublicClient();
        client.Scopes.Add(scope);

        AssertFails(Validate(client),
            $"OpenIddict:Clients:0:Scopes has '{scope}'; supported: openid, profile, roles, offline_access, api.");
    }

    [Fact]
    public void ClientsFailGivenOneClientIdTwice()
    {
        AssertFails(Validate(PublicClient(), ConfidentialClient(), PublicClient()), "OpenIddict:Clients names 'webapp' more than once.");
    }

    [Fact]
    public void FailureNamesTheIndexOfTheClientAtFault()
    {
        var client = ConfidentialClient();
        client.ClientSecret = "";

        AssertFails(Validate(PublicClient(), client),
            "OpenIddict:Clients:1:ClientSecret is required for the client_credentials grant (a confidential client).");
    }

    [Fact]
    public void FailureNamesTheConfigurationKeyTheClientWasReadFrom()
    {
        // Note: appsettings' clients 0 and 1 and the environment's client 20 bind to list positions 0, 1 and 2.
        var client = ConfidentialClient();
        client.ClientId = "robot";
        client.ClientSecret = null;
        client.ConfigurationKey = "OpenIddict:Clients:20";

        AssertFails(Validate(PublicClient(), ConfidentialClient(), client),
            "OpenIddict:Clients:20:ClientSecret is required for the client_credentials grant (a confidential client).");
    }

    [Fact]
    public void EveryFailureIsReportedAtOnce()
    {
        var client = new ClientRegistration
        {
            ClientId = "broken",
            GrantTypes = ["authorization_code", "client_credentials", "implicit"],
            Scopes = ["email"],
        };

        var result = Validate(client);

        Assert.Equal(
            [
                $"OpenIddict:Clients:0:GrantTypes has 'implicit'; {Supported}",
                "OpenIddict:Clients:0:ClientSecret is required for the client_credentials grant (a confidential client).",
                "OpenIddict:Clients:0:RedirectUris needs at least one URI for the authorization_code grant.",
                "OpenIddict:Clients:0:Scopes has 'email'; supported: openid, profile, roles, offline_access, api.",
            ],
            result.Failures);
    }

    private static ValidateOptionsResult Validate(params ClientRegistration[] clients) =>
        new ClientRegistrationValidator().Validate(null, new ClientRegistrationOptions { Clients = [.. clients] });

    private static void AssertFails(ValidateOptionsResult result, string failure)
    {
        Assert.True(result.Failed, "The configuration was accepted.");
        Assert.Equal([failure], result.Failures);
    }

    /// <summary>A browser application: authorization code with PKCE, no secret.</summary>
    private static ClientRegistration PublicClient() => new()
    {
        ClientId = "webapp",
        GrantTypes = ["authorization_code", "refresh_token"],
        RedirectUris = ["https://app.example/signin-oidc"],
        PostLogoutRedirectUris = ["https://app.example/signed-out"],
        Scopes = ["openid", "profile", "roles", "offline_access", "api"],
    };

    /// <summary>A service acting for itself: client credentials with a secret.</summary>
    private static ClientRegistration ConfidentialClient() => new()
    {
        ClientId = "machine",
        ClientSecret = "a long random secret from the environment",
        GrantTypes = ["client_credentials"],
        Scopes = ["api"],
    };
}
