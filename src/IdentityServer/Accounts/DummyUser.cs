using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>A user that never exists, whose hash is verified when a login names an unknown user.</summary>
internal static class DummyUser
{
    public static ApplicationUser Instance { get; } = new() { UserName = "dummy" };

    /// <summary>A hash made with the server's own hasher settings, so verifying it costs what a real one does.</summary>
    public static string PasswordHash { get; } =
        new PasswordHasher<ApplicationUser>().HashPassword(Instance, Guid.NewGuid().ToString("N"));
}
