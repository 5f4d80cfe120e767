namespace IdentityHost.IdentityServer.Mfa;

/// <summary>The <c>Accounts:Mfa</c> configuration section: who must have a second factor, and the second step's lockout.</summary>
public sealed class MfaOptions
{
    public const string SectionName = "Accounts:Mfa";

    /// <summary>
    /// The roles whose users must enrol a second factor before they finish signing in (default <c>["admin"]</c>, applied
    /// when the key is absent; an empty value, <c>Accounts__Mfa__RequiredForRoles=""</c>, means none).
    /// </summary>
    public IList<string> RequiredForRoles { get; } = [];

    /// <summary>Wrong second factors in a row that lock the second step (default 5).</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>How long the second step stays locked (default 15 minutes); the password and passkeys are not locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The name an authenticator app shows beside the account (default <c>IdentityHost</c>).</summary>
    public string Issuer { get; set; } = "IdentityHost";

    /// <summary>The default of <see cref="RequiredForRoles"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultRequiredForRoles = ["admin"];
}
