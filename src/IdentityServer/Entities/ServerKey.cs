namespace IdentityHost.IdentityServer.Entities;

/// <summary>
/// A key the server created for itself (see Keys.KeyRingManager): a token signing key (RS256 or ES256)
/// or the refresh-token encryption key. The private key is stored protected by ASP.NET Core Data Protection,
/// whose key ring lives in the same database, so every node can read it and a copy of this table alone is
/// not enough to sign tokens.
/// </summary>
public sealed class ServerKey
{
    /// <summary>The Data Protection purpose that protects <see cref="ProtectedKey"/>.</summary>
    public const string ProtectionPurpose = "IdentityHost.Keys.ServerKey.v1";

    /// <summary><see cref="Use"/> of a token signing key.</summary>
    public const string SigningUse = "sig";

    /// <summary><see cref="Use"/> of a token encryption key.</summary>
    public const string EncryptionUse = "enc";

    /// <summary>The key id (<c>kid</c>): the RFC 7638 thumbprint of a signing key's public key.</summary>
    public required string Id { get; set; }

    /// <summary><see cref="SigningUse"/> or <see cref="EncryptionUse"/>.</summary>
    public required string Use { get; set; }

    /// <summary>
    /// 1 for the first key of a use, then one more per rotation. Unique per use: when two nodes create the next
    /// key at the same moment, the database keeps one and the other node reads it.
    /// </summary>
    public int Generation { get; set; }

    /// <summary>The JWA algorithm: RS256 or ES256 for signing keys, A256KW for the encryption key.</summary>
    public required string Algorithm { get; set; }

    /// <summary>When the key was created, and so announced in JWKS (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the key starts signing (UTC); it stops when the next generation's activation comes.</summary>
    public DateTime ActivatesAt { get; set; }

    /// <summary>The private key (PKCS#8, or the raw bytes of a symmetric key), protected, base64.</summary>
    public required string ProtectedKey { get; set; }
}
