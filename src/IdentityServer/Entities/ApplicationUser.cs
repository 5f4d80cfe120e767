using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Entities;

/// <summary>A user account, stored in the ASP.NET Core Identity tables.</summary>
public sealed class ApplicationUser : IdentityUser
{
    /// <summary>When the account was registered (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
