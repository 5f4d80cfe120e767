namespace IdentityHost.IdentityServer.Api;

/// <summary>A user as the API shows it.</summary>
public sealed record UserResponse(string Id, string Username, IReadOnlyList<string> Roles);
