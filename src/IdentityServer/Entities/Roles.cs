namespace IdentityHost.IdentityServer.Entities;

/// <summary>The roles IdentityHost knows. Role names are lower case on the wire and in tokens.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";

    /// <summary>Every role, in the order they are seeded.</summary>
    public static IReadOnlyList<string> All { get; } = [User, Admin];

    /// <summary>Returns the canonical (lower-case) role name, or null when the role is unknown.</summary>
    public static string? Canonicalize(string? role) =>
        All.FirstOrDefault(known => string.Equals(known, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
