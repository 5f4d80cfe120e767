namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The body of <c>POST /api/account/password</c>.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
