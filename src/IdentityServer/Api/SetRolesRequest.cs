using System.ComponentModel.DataAnnotations;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The body of <c>PUT /api/users/{id}/roles</c>: the user's complete set of roles.</summary>
public sealed record SetRolesRequest(
    [property: Required(ErrorMessage = SetRolesRequest.RolesMessage)]
    [property: MinLength(1, ErrorMessage = SetRolesRequest.RolesMessage)]
    [property: KnownRole]
    IReadOnlyList<string?>? Roles)
{
    internal const string RolesMessage = "Give at least one role, each one of: user, admin.";
}
