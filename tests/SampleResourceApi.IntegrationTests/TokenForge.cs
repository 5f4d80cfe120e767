using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>
/// Makes tokens the identity server would never issue, signed with its real key (read from the Development
/// key directory), so each test changes exactly one property of an otherwise valid access token.
/// </summary>
public sealed class TokenForge(IdentityServerFixture identity, string genuineToken)
{
    private readonly JsonWebToken _genuine = new(genuineToken);

    public string Create(
        string type = "at+jwt",
        string? issuer = null,
        string? audience = "resource_api",
        DateTime? notBefore = null,
        DateTime? expires = null)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Path.Combine(identity.Directory, "keys", "signing.pem")));
        var key = new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: true)) { KeyId = _genuine.Kid };
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = _genuine.Subject,
            ["name"] = _genuine.GetClaim("name").Value,
            ["role"] = _genuine.GetClaim("role").Value,
            ["client_id"] = IdentityServerFixture.ClientId,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = type,
            Issuer = issuer ?? IdentityServerFixture.Authority.ToString(),
            Claims = claims,
            IssuedAt = (notBefore ?? now).AddSeconds(-1),
            NotBefore = notBefore ?? now.AddSeconds(-1),
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The genuine token with its payload changed (role admin) and its signature kept.</summary>
    public string Tampered()
    {
        var parts = _genuine.EncodedToken.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["role"] = "admin";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    /// <summary>The genuine token's claims under an <c>alg: none</c> header, unsigned.</summary>
    public string WithAlgNone()
    {
        var header = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["alg"] = "none",
            ["typ"] = "at+jwt",
            ["kid"] = _genuine.Kid,
        });
        var payload = _genuine.EncodedToken.Split('.')[1];
        return $"{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header))}.{payload}.";
    }
}
