namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The body of <c>PUT /api/users/{id}/roles</c>: the user's complete set of roles.</summary>
public sealed record SetRolesRequest(IReadOnlyList<string?>? Roles);
