using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.Testing;

/// <summary>
/// Makes tokens the identity server would never issue, signed with its real key (read from its database and
/// unprotected with its Data Protection key ring), so each test changes exactly one property of an otherwise
/// valid access token.
/// </summary>
public sealed class TokenForge(AsymmetricSecurityKey signingKey, string genuineToken)
{
    private readonly JsonWebToken _genuine = new(genuineToken);

    /// <summary>A forge for tokens like <paramref name="genuineToken"/>, signed with the key that signed it.</summary>
    public static async Task<TokenForge> CreateAsync(IdentityServerHost host, string genuineToken)
    {
        var (_, key) = await StoredServerKeys.FindSigningKeyAsync(host, new JsonWebToken(genuineToken).Kid);
        return new TokenForge(key, genuineToken);
    }

    public string Create(
        string type = "at+jwt",
        string? issuer = null,
        string? audience = "resource_api",
        DateTime? notBefore = null,
        DateTime? expires = null)
    {
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
            SigningCredentials = new SigningCredentials(signingKey,
                signingKey is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>
    /// <paramref name="token"/>'s exact payload under a new signature by <paramref name="key"/> (its kid in the
    /// header): the same token as if that key had signed it.
    /// </summary>
    public static string Resign(string token, AsymmetricSecurityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var original = new JsonWebToken(token);
        var algorithm = key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
        var header = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["alg"] = algorithm,
            ["kid"] = key.KeyId,
            ["typ"] = original.Typ,
        });
        var signingInput = Base64UrlEncoder.Encode(header) + "." + original.EncodedPayload;
        var signer = key.CryptoProviderFactory.CreateForSigning(key, algorithm);
        try
        {
            return signingInput + "." + Base64UrlEncoder.Encode(signer.Sign(Encoding.ASCII.GetBytes(signingInput)));
        }
        finally
        {
            key.CryptoProviderFactory.ReleaseSignatureProvider(signer);
        }
    }

    /// <summary>
    /// The genuine token's payload under a header of the attacker's choosing (<paramref name="header"/> gets
    /// <c>typ</c> at+jwt unless it sets its own), signed with <paramref name="sign"/> over the JWS signing input.
    /// </summary>
    public string WithHeader(IDictionary<string, object> header, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(sign);
        var fields = new Dictionary<string, object>(header);
        fields.TryAdd("typ", "at+jwt");
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.Serialize(fields)) + "." + _genuine.EncodedPayload;
        return signingInput + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The kid of the genuine token (the server's real key).</summary>
    public string GenuineKid => _genuine.Kid;

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
