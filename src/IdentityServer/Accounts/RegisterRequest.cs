namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The body of <c>POST /api/auth/register</c>.</summary>
public sealed record RegisterRequest(string? Username, string? Password, string? Role);
