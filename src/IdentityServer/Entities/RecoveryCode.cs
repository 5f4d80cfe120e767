namespace IdentityHost.IdentityServer.Entities;

/// <summary>One single-use recovery code of a user, stored as a hash only.</summary>
public sealed class RecoveryCode
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>SHA-256 (hex) of the user id and the normalized code.</summary>
    public required string Hash { get; set; }

    /// <summary>When it was used (UTC); a used code is kept so the account page can count what is left.</summary>
    public DateTime? UsedAt { get; set; }
}
