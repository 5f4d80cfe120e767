namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// The <c>OpenIddict:Keys</c> configuration section: where the token signing and encryption keys come from.
/// </summary>
public sealed class KeyOptions
{
    public const string SectionName = "OpenIddict:Keys";

    /// <summary>A PEM (PKCS#8 or PKCS#1, RSA or EC P-256) or PFX file holding the token signing key.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The password of an encrypted PEM or of a PFX file, if any. Keep it in user-secrets or the environment.</summary>
    public string? SigningKeyPassword { get; set; }

    /// <summary>
    /// A PEM (RSA) or PFX file holding the key that encrypts refresh tokens. Note: OpenIddict always encrypts
    /// the tokens only it reads (refresh tokens); access tokens are signed JWTs and are not encrypted.
    /// </summary>
    public string? EncryptionKeyPath { get; set; }

    /// <summary>The password of the encryption key file, if any.</summary>
    public string? EncryptionKeyPassword { get; set; }

    /// <summary>
    /// Development only: where keys generated on first run are kept, relative to the content root,
    /// so that a restart does not invalidate issued tokens.
    /// </summary>
    public string DevelopmentKeyDirectory { get; set; } = "App_Data/keys";
}
