using System.ComponentModel.DataAnnotations;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>The body of the seed project's <c>POST /api/auth/login</c>.</summary>
/// <param name="Username">The user name, as registered (compared after the same normalization).</param>
/// <param name="Password">The password; an empty one fails like a wrong one.</param>
/// <param name="Totp">The current code of the user's authenticator app, for a user with one (else the answer is <c>mfa_required</c>).</param>
public sealed record SeedLoginRequest(
    [property: Required(ErrorMessage = "A username is required.")] string? Username,
    string? Password,
    [property: StringLength(64, ErrorMessage = "The code is too long.")] string? Totp = null);
