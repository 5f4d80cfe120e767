namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The <c>Accounts</c> configuration section: user name and password rules, and the seed login.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Shortest user name, in characters (default 3).</summary>
    public int UserNameMinLength { get; set; } = 3;

    /// <summary>Wrong passwords in a row that lock an account (default 5).</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>How long a lockout lasts (default 15 minutes).</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest user name, in characters (default 64).</summary>
    public int UserNameMaxLength { get; set; } = 64;

    /// <summary>Shortest password, in characters (default 15, as NIST SP 800-63B-4 asks of single-factor passwords).</summary>
    public int PasswordMinLength { get; set; } = 15;

    /// <summary>Longest password, in characters (default and ceiling 128).</summary>
    public int PasswordMaxLength { get; set; } = 128;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations of new password hashes (default 100,000, ASP.NET Core Identity's own). A stored hash
    /// made with fewer is upgraded the next time its user signs in. OWASP recommends 210,000 for this hash; every
    /// sign-in and registration costs CPU in proportion, so raise it knowing the throughput it costs (docs/benchmarks.md).
    /// </summary>
    public int PasswordHashIterations { get; set; } = 100_000;

    /// <summary>
    /// The common-password blocklist: a text file (one password a line), the same gzip-compressed (<c>.gz</c>), or an
    /// npm package holding one (<c>.tgz</c>); relative to the content root. Unset, the built-in list of 437,651
    /// passwords is used.
    /// </summary>
    public string? PasswordBlocklistPath { get; set; }

    /// <summary>
    /// Words no password may contain besides the user's own name, such as the service's name (case and Unicode
    /// compatibility forms ignored; words shorter than 4 characters are not looked for).
    /// </summary>
    public IList<string> PasswordContextWords { get; } = [];

    /// <summary>
    /// The client that <c>POST /api/auth/login</c> requests tokens for; it must be configured with the
    /// password grant. Unset, the seed login answers 404.
    /// </summary>
    public string? LoginClientId { get; set; }

    /// <summary>The scopes the seed login asks for.</summary>
    public string LoginScope { get; set; } = "openid profile roles offline_access api";
}
