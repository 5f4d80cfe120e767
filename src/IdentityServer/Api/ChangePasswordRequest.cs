using System.ComponentModel.DataAnnotations;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The body of <c>POST /api/account/password</c>.</summary>
public sealed record ChangePasswordRequest(
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "The current password is required.")]
    [property: MinLength(1, ErrorMessage = "The current password is required.")]
    string? CurrentPassword,
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "A new password is required.")]
    [property: MinLength(1, ErrorMessage = "A new password is required.")]
    string? NewPassword);
