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

    /// <summary>Whether registration needs an email address (default false; true whenever <see cref="RequireVerifiedEmail"/> is).</summary>
    public bool RequireEmail { get; set; }

    /// <summary>Whether no two accounts may have one address (compared normalized; default true).</summary>
    public bool RequireUniqueEmail { get; set; } = true;

    /// <summary>
    /// Whether an account with an address that is not verified yet is refused sign-in and tokens (default false). Accounts
    /// without any address (an administrator bootstrapped from configuration, accounts older than addresses) are not held.
    /// </summary>
    public bool RequireVerifiedEmail { get; set; }

    /// <summary>How long an email verification link works (default 24 hours).</summary>
    public TimeSpan EmailTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a password reset link works (default 1 hour).</summary>
    public TimeSpan PasswordResetTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many password reset or verification mails one account gets per hour at most, however many addresses ask
    /// (default 5); requests beyond it are answered alike and send nothing.
    /// </summary>
    public int RecoveryMailsPerHour { get; set; } = 5;

    /// <summary>Whether registration must ask for an address: <see cref="RequireEmail"/> or <see cref="RequireVerifiedEmail"/>.</summary>
    public bool EmailRequired => RequireEmail || RequireVerifiedEmail;

    /// <summary>The scopes the seed login asks for.</summary>
    public string LoginScope { get; set; } = "openid profile roles offline_access api";
}
