namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// The <c>OpenIddict:Keys</c> configuration section. By default the server manages its keys itself (see
/// <see cref="KeyRingManager"/>); a configured key file overrides that for its use.
/// </summary>
public sealed class KeyOptions
{
    public const string SectionName = "OpenIddict:Keys";

    /// <summary>
    /// A PEM (PKCS#8 or PKCS#1, RSA or EC P-256) or PFX file holding the token signing key. When set, it signs
    /// every token and the server neither creates nor rotates signing keys: rotating it is then up to you.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The password of an encrypted PEM or of a PFX file, if any. Keep it in user-secrets or the environment.</summary>
    public string? SigningKeyPassword { get; set; }

    /// <summary>
    /// A PEM (RSA) or PFX file holding the key that encrypts refresh tokens. When unset, the server creates a
    /// 256-bit key once and keeps it in the database. Note: OpenIddict always encrypts the tokens only it reads
    /// (refresh tokens); access tokens are signed JWTs and are not encrypted.
    /// </summary>
    public string? EncryptionKeyPath { get; set; }

    /// <summary>The password of the encryption key file, if any.</summary>
    public string? EncryptionKeyPassword { get; set; }

    /// <summary>The algorithm of the signing keys the server creates: <c>RS256</c> (default, RSA 2048) or <c>ES256</c> (P-256).</summary>
    public string SigningAlgorithm { get; set; } = "RS256";

    /// <summary>How long each managed signing key signs before the next one takes over (default 90 days).</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a new signing key is announced in JWKS before it signs anything (default 14 days), so that
    /// resource servers that cache JWKS already know it. Must exceed the longest JWKS cache among them.
    /// </summary>
    public TimeSpan PropagationTime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How often each node re-reads the keys from the database (default 5 minutes), and so how soon it sees a
    /// key another node created. Must be shorter than <see cref="PropagationTime"/>.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest lifetime of a token the server signs, and so how long a retired key stays published. Not a setting:
    /// the token server fills it in from its own lifetimes (by default the refresh token's 14 days).
    /// </summary>
    public TimeSpan SignedTokenLifetime { get; internal set; } = TimeSpan.FromDays(14);
}
