namespace IdentityHost.IdentityServer.Entities;

/// <summary>
/// A user's second factors and the state of their second sign-in step, one row per user who ever began enrolling. Note:
/// a table of its own, not columns of the user row: Identity's <c>UpdateAsync</c> writes every column of the user from
/// the entity it holds, which would put back a stale failure count or time step that a racing request had just moved.
/// </summary>
public sealed class UserMfa
{
    public required string UserId { get; set; }

    /// <summary>The authenticator (TOTP) key in use, Base32, protected by Data Protection; null when no authenticator is on.</summary>
    public string? TotpKey { get; set; }

    /// <summary>A key being enrolled (shown, not confirmed yet by a first valid code), protected like <see cref="TotpKey"/>.</summary>
    public string? PendingTotpKey { get; set; }

    /// <summary>When the authenticator was switched on (UTC).</summary>
    public DateTime? TotpEnabledAt { get; set; }

    /// <summary>
    /// The 30-second time step of the last accepted code: a code is accepted only for a later step, so no code works twice
    /// (RFC 6238 section 5.2), however many requests carry it at once.
    /// </summary>
    public long TotpLastTimeStep { get; set; }

    /// <summary>Second-factor attempts since the last success or lockout, counted before each is checked.</summary>
    public int FailedCount { get; set; }

    /// <summary>Until when the second step is locked (UTC); the account and its password are not.</summary>
    public DateTime? LockoutEnd { get; set; }
}
