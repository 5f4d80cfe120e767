using System.ComponentModel.DataAnnotations;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The body of <c>POST /api/auth/register</c>.</summary>
/// <param name="Username">Trimmed and NFKC-normalized before the rules apply.</param>
/// <param name="Password">NFKC-normalized, never trimmed.</param>
/// <param name="Role">One of the known roles; <c>user</c> when left out.</param>
/// <param name="Email">Optional unless <c>Accounts:RequireEmail</c>; a verification link is sent to it.</param>
public sealed record RegisterRequest(
    [property: Required(ErrorMessage = "A username is required.")] string? Username,
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "A password is required.")]
    [property: MinLength(1, ErrorMessage = "A password is required.")]
    string? Password,
    [property: KnownRole] string? Role,
    [property: MaxLength(320, ErrorMessage = "The email address is too long.")] string? Email = null);
