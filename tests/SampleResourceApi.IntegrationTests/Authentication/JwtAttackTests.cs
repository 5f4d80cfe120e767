using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using IdentityHost.Testing;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

/// <summary>
/// Tokens an attacker makes, each refused by the resource API with 401 (RFC 8725): algorithm confusion,
/// keys or key URLs named in the token itself, unknown keys, bad lifetimes, the wrong kind of token, and a token
/// sent where it leaks (the query string). The control test shows the same forge's honest token passes.
/// </summary>
public sealed class JwtAttackTests : IClassFixture<SqliteResourceApiFixture>, IDisposable
{
    private readonly SqliteResourceApiFixture _fixture;
    private readonly HttpClient _identity;
    private readonly HttpClient _api;

    public JwtAttackTests(SqliteResourceApiFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _fixture = fixture;
        _identity = fixture.Identity.CreateClient();
        _api = fixture.Api.CreateClient();
    }

    [Fact]
    public async Task AcceptsTheForgesHonestToken()
    {
        var forge = await ForgeAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(forge.Create()));
    }

    [Fact]
    public async Task Returns401GivenATamperedCopyOfATokenItAccepted()
    {
        var forge = await ForgeAsync();
        var token = forge.Create();
        var parts = token.Split('.');
        // Note: a character in the middle of the signature, and one of the payload: both must fail validation in full
        // even though the genuine token was just accepted (and remembered by the API's validated-token cache).
        var signature = parts[2].ToCharArray();
        signature[signature.Length / 2] = signature[signature.Length / 2] == 'A' ? 'B' : 'A';
        var payload = parts[1].ToCharArray();
        payload[payload.Length / 2] = payload[payload.Length / 2] == 'A' ? 'B' : 'A';

        var first = await StatusAsync(token);
        var badSignature = await StatusAsync($"{parts[0]}.{parts[1]}.{new string(signature)}");
        var badPayload = await StatusAsync($"{parts[0]}.{new string(payload)}.{parts[2]}");
        var again = await StatusAsync(token);

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.Unauthorized, badSignature);
        Assert.Equal(HttpStatusCode.Unauthorized, badPayload);
        Assert.Equal(HttpStatusCode.OK, again);
    }

    [Fact]
    public async Task Returns401GivenHs256TokenSignedWithThePublicKey()
    {
        var forge = await ForgeAsync();
        var jwks = await _identity.GetStringAsync(new Uri("/.well-known/jwks", UriKind.Relative), TestContext.Current.CancellationToken);
        var publicKey = new JsonWebKeySet(jwks).Keys.Single(key => key.Kid == forge.GenuineKid);
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(publicKey.N),
            Exponent = Base64UrlEncoder.DecodeBytes(publicKey.E),
        });

        // Note: the classic key confusion: the public key, known to everyone, used as an HMAC secret, in the
        // encodings a vulnerable library might accept.
        foreach (var secret in new[]
        {
            System.Text.Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()),
            rsa.ExportSubjectPublicKeyInfo(),
            System.Text.Encoding.UTF8.GetBytes(jwks),
        })
        {
            var token = forge.WithHeader(new Dictionary<string, object> { ["alg"] = "HS256", ["kid"] = forge.GenuineKid },
                input => HMACSHA256.HashData(secret, input));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(token));
        }
    }

    [Fact]
    public async Task Returns401GivenTheAttackersKeyEmbeddedAsJwk()
    {
        var forge = await ForgeAsync();
        using var attacker = RSA.Create(2048);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(attacker.ExportParameters(false)));

        var token = forge.WithHeader(
            new Dictionary<string, object>
            {
                ["alg"] = "RS256",
                ["kid"] = forge.GenuineKid,
                ["jwk"] = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = jwk.N, ["e"] = jwk.E },
            },
            input => attacker.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(token));
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task Returns401GivenAKeyUrlInTheHeader(string header)
    {
        var forge = await ForgeAsync();
        using var attacker = RSA.Create(2048);

        var token = forge.WithHeader(
            new Dictionary<string, object> { ["alg"] = "RS256", ["kid"] = "attacker-key", [header] = "https://evil.example/keys" },
            input => attacker.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(token));
        // Note: the API may re-read the real server's JWKS for the unknown kid; it never fetches the named URL.
        Assert.DoesNotContain(_fixture.Backchannel.Requests, uri => uri.Host == "evil.example");
    }

    [Fact]
    public async Task Returns401GivenAnUnknownKeyId()
    {
        var forge = await ForgeAsync();
        using var attacker = RSA.Create(2048);

        var token = forge.WithHeader(new Dictionary<string, object> { ["alg"] = "RS256", ["kid"] = Guid.NewGuid().ToString("N") },
            input => attacker.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(token));
    }

    [Fact]
    public async Task Returns401GivenATokenNotValidYetBeyondTheClockSkew()
    {
        var forge = await ForgeAsync();

        var token = forge.Create(notBefore: DateTime.UtcNow.AddMinutes(2), expires: DateTime.UtcNow.AddMinutes(10));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(token));
    }

    [Fact]
    public async Task AllowsAtMostThirtySecondsOfClockSkew()
    {
        var forge = await ForgeAsync();

        var withinSkew = forge.Create(notBefore: DateTime.UtcNow.AddMinutes(-10), expires: DateTime.UtcNow.AddSeconds(-15));
        var beyondSkew = forge.Create(notBefore: DateTime.UtcNow.AddMinutes(-10), expires: DateTime.UtcNow.AddSeconds(-45));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(withinSkew));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(beyondSkew));
    }

    [Fact]
    public async Task Returns401GivenARefreshTokenAsAccessToken()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(_identity);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(_identity, userName, password);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(tokens.RefreshToken!));
    }

    [Fact]
    public async Task RefusalsCarrySecurityHeaders()
    {
        using var response = await _api.GetAsync(new Uri("/api/protected", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Returns401GivenAValidTokenInTheQueryString()
    {
        var token = await _fixture.Identity.GetAccessTokenAsync(_identity);

        using var response = await _api.GetAsync(new Uri("/api/protected?access_token=" + token, UriKind.Relative),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose()
    {
        _identity.Dispose();
        _api.Dispose();
    }

    private async Task<TokenForge> ForgeAsync() =>
        await TokenForge.CreateAsync(_fixture.Identity.Host, await _fixture.Identity.GetAccessTokenAsync(_identity));

    private async Task<HttpStatusCode> StatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _api.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
