using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// One immutable view of the managed keys: signing credentials with the active key first, then the announced
/// and retired ones (all published in JWKS and accepted when validating), and the encryption credentials.
/// </summary>
/// <param name="SigningCredentials">The active signing key first, then every other published key.</param>
/// <param name="EncryptionCredentials">The active encryption key first, then older ones still needed to decrypt.</param>
/// <param name="RefreshAt">When this view must be rebuilt (the refresh interval, or the schedule's next change).</param>
/// <param name="Fingerprint">The key ids in order; a different fingerprint means OpenIddict must be reconfigured.</param>
internal sealed record KeyRing(
    IReadOnlyList<SigningCredentials> SigningCredentials,
    IReadOnlyList<EncryptingCredentials> EncryptionCredentials,
    DateTimeOffset RefreshAt,
    string Fingerprint)
{
    /// <summary>The view when the server manages no key (both are configured files).</summary>
    public static KeyRing None { get; } = new([], [], DateTimeOffset.MaxValue, string.Empty);
}
