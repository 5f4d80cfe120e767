namespace IdentityHost.IdentityServer.Entities;

/// <summary>One single-use recovery code of a user, stored as a hash only.</summary>
public sealed class RecoveryCode
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>The random salt of the set this code belongs to (16 bytes, hex); every code of one set shares it.</summary>
    public required string Salt { get; set; }

    /// <summary>PBKDF2-HMAC-SHA256 (hex) of the normalized code with <see cref="Salt"/>.</summary>
    public required string Hash { get; set; }

    /// <summary>When it was used (UTC); a used code is kept so the account page can count what is left.</summary>
    public DateTime? UsedAt { get; set; }
}
