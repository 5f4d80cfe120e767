using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Entities;

/// <summary>A user account, stored in the ASP.NET Core Identity tables.</summary>
public sealed class ApplicationUser : IdentityUser
{
    /// <summary>When the account was registered (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// The normalized email address again, when addresses must be unique (<c>Accounts:RequireUniqueEmail</c>), else null.
    /// Note: a unique index on this column is what keeps two racing registrations or changes from taking one address;
    /// Identity's own check reads before it writes. A column of its own, so that turning the rule off needs no schema change.
    /// </summary>
    public string? UniqueEmail { get; set; }
}
