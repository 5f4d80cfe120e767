using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.UnitTests.Clients;

/// <summary>A client configuration that cannot work fails start-up, each message naming the configuration key to fix.</summary>
public sealed class ClientRegistrationValidatorTests
{
    private const string Supported = "supported: authorization_code, password, refresh_token, client_credentials, " +
        "urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange.";

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
            "OpenIddict:Clients:0:ClientSecret (or Jwks or JwksUri) is required for the client_credentials grant (a confidential client).");
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
    [InlineData("phone")]
    [InlineData("API")]
    public void ClientFailsGivenAnUnknownScope(string scope)
    {
        var client = PublicClient();
        client.Scopes.Add(scope);

        AssertFails(Validate(client),
            $"OpenIddict:Clients:0:Scopes has '{scope}'; supported: openid, profile, roles, offline_access, api, email, admin.");
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
            "OpenIddict:Clients:1:ClientSecret (or Jwks or JwksUri) is required for the client_credentials grant (a confidential client).");
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
            "OpenIddict:Clients:20:ClientSecret (or Jwks or JwksUri) is required for the client_credentials grant (a confidential client).");
    }

    [Fact]
    public void EveryFailureIsReportedAtOnce()
    {
        var client = new ClientRegistration
        {
            ClientId = "broken",
            GrantTypes = ["authorization_code", "client_credentials", "implicit"],
            Scopes = ["phone"],
        };

        var result = Validate(client);

        Assert.Equal(
            [
                $"OpenIddict:Clients:0:GrantTypes has 'implicit'; {Supported}",
                "OpenIddict:Clients:0:ClientSecret (or Jwks or JwksUri) is required for the client_credentials grant (a confidential client).",
                "OpenIddict:Clients:0:RedirectUris needs at least one URI for the authorization_code grant.",
                "OpenIddict:Clients:0:Scopes has 'phone'; supported: openid, profile, roles, offline_access, api, email, admin.",
            ],
            result.Failures);
    }

    private static ValidateOptionsResult Validate(params ClientRegistration[] clients) =>
        new ClientRegistrationValidator(Options.Create(new ApiResourceOptions
        {
            Apis = [new ApiResource { Name = "orders_api", Uri = new Uri("https://orders.example/") }],
        })).Validate(null, new ClientRegistrationOptions { Clients = [.. clients] });

    // Note: an RSA public key as a client publishes it; the private one never leaves the client.
    private static readonly string PublicJwks = KeySet(includePrivate: false);

    private static string KeySet(bool includePrivate)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromRSASecurityKey(
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa.ExportParameters(includePrivate)));
        return System.Text.Json.JsonSerializer.Serialize(new
        {
            keys = new[] { includePrivate ? (object)new { key.Kty, key.N, key.E, key.D, key.P, key.Q } : new { key.Kty, key.N, key.E } },
        }).Replace("\"Kty\"", "\"kty\"", StringComparison.Ordinal).Replace("\"N\"", "\"n\"", StringComparison.Ordinal)
            .Replace("\"E\"", "\"e\"", StringComparison.Ordinal).Replace("\"D\"", "\"d\"", StringComparison.Ordinal)
            .Replace("\"P\"", "\"p\"", StringComparison.Ordinal).Replace("\"Q\"", "\"q\"", StringComparison.Ordinal);
    }

    [Fact]
    public void AClientWithAKeySetIsConfidentialWithoutASecret() =>
        Assert.True(Validate(new ClientRegistration { ClientId = "signer", Jwks = PublicJwks, GrantTypes = ["client_credentials"] }).Succeeded);

    [Fact]
    public void AKeySetWithAPrivateKeyIsRefusedNamingTheKey() =>
        AssertFails(Validate(new ClientRegistration { ClientId = "signer", Jwks = KeySet(includePrivate: true) }),
            "OpenIddict:Clients:0:Jwks must hold public keys only (it has a private or symmetric key).");

    [Fact]
    public void AKeySetThatIsNotJsonIsRefusedNamingTheKey()
    {
        var result = Validate(new ClientRegistration { ClientId = "signer", Jwks = "{not json" });

        Assert.True(result.Failed);
        Assert.StartsWith("OpenIddict:Clients:0:Jwks is not a JSON Web Key Set", Assert.Single(result.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void KeySetAndKeySetUriTogetherAreRefused() =>
        AssertFails(Validate(new ClientRegistration { ClientId = "signer", Jwks = PublicJwks, JwksUri = "https://signer.example/jwks" }),
            "OpenIddict:Clients:0:Jwks and OpenIddict:Clients:0:JwksUri must not both be set.");

    [Theory]
    [InlineData("http://signer.example/jwks")]
    [InlineData("/jwks")]
    [InlineData("https://signer.example/jwks#keys")]
    public void KeySetUriMustBeHttpsUnlessLoopback(string uri) =>
        AssertFails(Validate(new ClientRegistration { ClientId = "signer", JwksUri = uri }),
            "OpenIddict:Clients:0:JwksUri must be an absolute https URI (http only for a loopback host).");

    [Fact]
    public void KeySetUriOnLoopbackMayBeHttp() =>
        Assert.True(Validate(new ClientRegistration { ClientId = "signer", JwksUri = "http://127.0.0.1:5300/jwks" }).Succeeded);

    [Fact]
    public void TokenExchangeNeedsAConfidentialClient() =>
        AssertFails(Validate(new ClientRegistration { ClientId = "gateway", GrantTypes = ["urn:ietf:params:oauth:grant-type:token-exchange"] }),
            "OpenIddict:Clients:0:ClientSecret (or Jwks or JwksUri) is required for the " +
            "urn:ietf:params:oauth:grant-type:token-exchange grant (a confidential client).");

    [Fact]
    public void TokenExchangeAudiencesMustBeKnownApis() =>
        AssertFails(Validate(new ClientRegistration
        {
            ClientId = "gateway",
            ClientSecret = "a secret",
            GrantTypes = ["urn:ietf:params:oauth:grant-type:token-exchange"],
            TokenExchangeAudiences = ["orders_api", "billing_api"],
        }), "OpenIddict:Clients:0:TokenExchangeAudiences has 'billing_api', which is not an API of OpenIddict:Apis " +
            "(known: orders_api, resource_api).");

    [Fact]
    public void TokenExchangeAudiencesNeedTheGrant() =>
        AssertFails(Validate(new ClientRegistration { ClientId = "gateway", ClientSecret = "a secret", TokenExchangeAudiences = ["orders_api"] }),
            "OpenIddict:Clients:0:TokenExchangeAudiences is set, but OpenIddict:Clients:0:GrantTypes lacks " +
            "urn:ietf:params:oauth:grant-type:token-exchange.");

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
