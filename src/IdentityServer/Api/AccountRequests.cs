using System.ComponentModel.DataAnnotations;
using IdentityHost.IdentityServer.Recovery;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The body of <c>POST /api/account/password/forgot</c> and <c>POST /api/account/email/resend</c>.</summary>
public sealed record RecoveryMailRequest(
    [property: Required(ErrorMessage = "A username or email address is required.")]
    [property: MinLength(1, ErrorMessage = "A username or email address is required.")]
    [property: MaxLength(RecoveryRequest.MaxLength, ErrorMessage = "The username or email address is too long.")]
    string? UsernameOrEmail);

/// <summary>The body of <c>POST /api/account/password/reset</c>: the token from the mail's link and the new password.</summary>
public sealed record ResetPasswordRequest(
    [property: Required(ErrorMessage = "The token from the mail is required.")]
    [property: MaxLength(128, ErrorMessage = "The token is not valid.")]
    string? Token,
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "A new password is required.")]
    [property: MinLength(1, ErrorMessage = "A new password is required.")]
    string? NewPassword);

/// <summary>The body of <c>POST /api/account/email/verify</c>: the token from the mail's link.</summary>
public sealed record VerifyEmailRequest(
    [property: Required(ErrorMessage = "The token from the mail is required.")]
    [property: MaxLength(128, ErrorMessage = "The token is not valid.")]
    string? Token);

/// <summary>The body of <c>PUT /api/account/email</c>: the new address and, again, the password.</summary>
public sealed record ChangeEmailRequest(
    [property: Required(ErrorMessage = "The new email address is required.")]
    [property: MaxLength(320, ErrorMessage = "The email address is too long.")]
    string? Email,
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "The current password is required.")]
    [property: MinLength(1, ErrorMessage = "The current password is required.")]
    string? CurrentPassword);

/// <summary>The body of <c>DELETE /api/account</c>: the password, again.</summary>
public sealed record DeleteAccountRequest(
    [property: Required(AllowEmptyStrings = true, ErrorMessage = "The password is required.")]
    [property: MinLength(1, ErrorMessage = "The password is required.")]
    string? Password);

/// <summary>The answer to a request for a mail: the same whatever the account, or whether there is one.</summary>
public sealed record MailRequestAccepted(string Message);
