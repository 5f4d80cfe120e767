using System.Collections.Immutable;
using System.Security.Claims;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Resources;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>Builds the claims a user's tokens carry, from the user's current state in the database.</summary>
internal sealed class UserPrincipalFactory(UserManager<ApplicationUser> users, IdentityHostDbContext database, IOptions<ApiResourceOptions> apis)
{
    // Note: one request's look-up (FindUserAsync), so building its principal does not ask for the roles again.
    private (string UserId, IList<string> Roles)? _roles;

    /// <summary>
    /// The user with id <paramref name="id"/> and their role names, in one query (a refresh or a code redemption reads
    /// both on every request; UserManager would ask twice). The user is tracked, as UserManager's look-up would be.
    /// </summary>
    public async Task<ApplicationUser?> FindUserAsync(string id, CancellationToken cancellationToken)
    {
        var found = await database.Users
            .Where(user => user.Id == id)
            .Select(user => new UserWithRoles(user, database.UserRoles
                .Where(link => link.UserId == user.Id)
                .Join(database.Roles, link => link.RoleId, role => role.Id, (_, role) => role.Name!)
                .ToList()))
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        _roles = (found.User.Id, found.Roles);
        return found.User;
    }

    private async Task<IList<string>> RolesOfAsync(ApplicationUser user) =>
        _roles is { } known && known.UserId == user.Id ? known.Roles : await users.GetRolesAsync(user);

    /// <summary>
    /// The claims of <paramref name="user"/>'s tokens for <paramref name="scopes"/>. The access token's audience: the APIs
    /// the request named as RFC 8707 resources (OpenIddict has checked they are known and the client may name them),
    /// else the APIs its scopes grant.
    /// </summary>
    public async Task<ClaimsPrincipal> CreateAsync(ApplicationUser user, ImmutableArray<string> scopes, ImmutableArray<string> resources = default)
    {
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);

        var roles = await RolesOfAsync(user);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaims(Claims.Role, [.. roles]);
        SetEmail(identity, user);

        // Note: the admin scope only ever reaches administrators; anyone else gets the token without it (a server may
        // grant less than asked, RFC 6749 section 3.3, and then says so in the response's scope).
        if (!roles.Contains(Roles.Admin, StringComparer.OrdinalIgnoreCase))
        {
            scopes = scopes.Remove(IdentityHostScopes.Admin);
        }

        identity.SetScopes(scopes);
        identity.SetResources(Audiences(scopes, resources));
        identity.SetDestinations(GetDestinations);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// The audiences of a token: the API names of the RFC 8707 <paramref name="resources"/> (URIs) when there are any,
    /// else the names of the APIs <paramref name="scopes"/> grant.
    /// </summary>
    public ImmutableArray<string> Audiences(ImmutableArray<string> scopes, ImmutableArray<string> resources = default) =>
        !resources.IsDefaultOrEmpty
            ? [.. resources.Select(resource => apis.Value.FindByUri(resource)?.Name ?? resource).Distinct(StringComparer.Ordinal)]
            : [.. apis.Value.AudiencesOf(scopes)];

    /// <summary>
    /// <paramref name="source"/> (e.g. an authorization code's principal, with its nonce and authorization) with
    /// the user's current name and roles.
    /// </summary>
    public async Task<ClaimsPrincipal> UpdateAsync(ClaimsPrincipal source, ApplicationUser user)
    {
        var identity = new ClaimsIdentity(
            source.Claims,
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaims(Claims.Role, [.. await RolesOfAsync(user)]);
        SetEmail(identity, user);
        identity.SetDestinations(GetDestinations);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The user's current address and whether it is verified; none when the user has no address.</summary>
    private static void SetEmail(ClaimsIdentity identity, ApplicationUser user)
    {
        identity.SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.Email is null ? null : user.EmailConfirmed);
    }

    /// <summary>
    /// The principal of a client acting for itself (client_credentials): <c>sub</c> is the client id, as
    /// RFC 9068 asks, and there is no user, so no name and no role.
    /// </summary>
    public ClaimsPrincipal CreateForClient(string clientId, ImmutableArray<string> scopes, ImmutableArray<string> resources = default)
    {
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetScopes(scopes);
        identity.SetResources(Audiences(scopes, resources));
        identity.SetDestinations(GetDestinations);
        return new ClaimsPrincipal(identity);
    }

    private static IEnumerable<string> GetDestinations(Claim claim)
    {
        // Note: the access token always carries the name and roles (resource APIs authorize on them);
        // the identity token carries them only when the client asked for the matching scope.
        switch (claim.Type)
        {
            case Claims.Name or Claims.PreferredUsername:
                yield return Destinations.AccessToken;
                if (claim.Subject!.HasScope(Scopes.Profile))
                {
                    yield return Destinations.IdentityToken;
                }

                yield break;

            case Claims.Email or Claims.EmailVerified:
                // Note: personal data, for the client that asked for the email scope; resource APIs do not get it.
                if (claim.Subject!.HasScope(Scopes.Email))
                {
                    yield return Destinations.IdentityToken;
                }

                yield break;

            case ClaimNames.LoginStarted:
                // Note: private to the server: it stays in codes and refresh tokens, never in tokens clients read.
                yield break;

            case ClaimNames.AuthenticationMethods or ClaimNames.AuthenticationContext:
                // Note: how the user signed in, for the client (identity token) and the APIs that demand a second factor.
                yield return Destinations.AccessToken;
                yield return Destinations.IdentityToken;
                yield break;

            case Claims.AuthenticationTime:
                // Note: when the user signed in; OpenID Connect wants it in the identity token (max_age).
                yield return Destinations.IdentityToken;
                yield break;

            case Claims.Role:
                yield return Destinations.AccessToken;
                if (claim.Subject!.HasScope(Scopes.Roles))
                {
                    yield return Destinations.IdentityToken;
                }

                yield break;

            default:
                yield return Destinations.AccessToken;
                yield break;
        }
    }

    // Note: a named type, not an anonymous one: the architecture tests read every type's namespace.
    private sealed record UserWithRoles(ApplicationUser User, List<string> Roles);
}
