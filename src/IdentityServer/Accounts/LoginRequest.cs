namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The body of the seed project's <c>POST /api/auth/login</c>.</summary>
public sealed record LoginRequest(string? Username, string? Password);
