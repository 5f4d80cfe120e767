using System.ComponentModel.DataAnnotations;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>The body of the seed project's <c>POST /api/auth/login</c>.</summary>
/// <param name="Username">The user name, as registered (compared after the same normalization).</param>
/// <param name="Password">The password; an empty one fails like a wrong one.</param>
public sealed record SeedLoginRequest(
    [property: Required(ErrorMessage = "A username is required.")] string? Username,
    string? Password);
