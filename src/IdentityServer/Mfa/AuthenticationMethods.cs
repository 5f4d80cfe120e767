namespace IdentityHost.IdentityServer.Mfa;

/// <summary>
/// How a user signed in: the <c>amr</c> values of RFC 8176 that IdentityHost issues, and the two <c>acr</c> levels it
/// knows (discovery's <c>acr_values_supported</c>).
/// </summary>
public static class AuthenticationMethods
{
    /// <summary>A password.</summary>
    public const string Password = "pwd";

    /// <summary>A one-time password: an authenticator code or a recovery code.</summary>
    public const string OneTimePassword = "otp";

    /// <summary>
    /// Proof of possession of a hardware-secured key: a passkey bound to its authenticator (not eligible for backup, so its
    /// private key cannot leave the device).
    /// </summary>
    public const string HardwareKey = "hwk";

    /// <summary>Proof of possession of a software-secured key: a synced passkey (eligible for backup to other devices).</summary>
    public const string SoftwareKey = "swk";

    /// <summary>More than one factor.</summary>
    public const string MultipleFactors = "mfa";

    /// <summary>The <c>acr</c> of a sign-in with a password only.</summary>
    public const string PasswordLevel = "urn:identityhost:acr:pwd";

    /// <summary>The <c>acr</c> of a multi-factor sign-in; an authorization request naming it in <c>acr_values</c> forces the second factor.</summary>
    public const string MultiFactorLevel = "urn:identityhost:acr:mfa";

    /// <summary>The <c>acr</c> values this server issues, weakest first.</summary>
    public static readonly IReadOnlyList<string> Levels = [PasswordLevel, MultiFactorLevel];

    /// <summary>The <c>acr</c> of a sign-in with <paramref name="methods"/>.</summary>
    public static string LevelOf(IEnumerable<string> methods) =>
        methods.Contains(MultipleFactors, StringComparer.Ordinal) ? MultiFactorLevel : PasswordLevel;
}
