using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Recovery;

namespace IdentityHost.IdentityServer.Users;

/// <summary>What an account's lockout columns say about it, as the console and <c>/api/users</c> show it.</summary>
public static class UserState
{
    /// <summary>The account may sign in.</summary>
    public const string Active = "active";

    /// <summary>An administrator disabled the account (a lockout that never ends).</summary>
    public const string Disabled = "disabled";

    /// <summary>Too many wrong passwords: locked until <see cref="Microsoft.AspNetCore.Identity.IdentityUser{TKey}.LockoutEnd"/>.</summary>
    public const string Locked = "locked";

    /// <summary>The state of <paramref name="user"/> at <paramref name="now"/>.</summary>
    public static string Of(ApplicationUser user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        return AccountLookup.IsDisabled(user) ? Disabled
            : user.LockoutEnd is { } end && end > now ? Locked
            : Active;
    }
}

/// <summary>A user as the users list and <c>GET /api/users</c> show it: never a hash, stamp or token.</summary>
/// <param name="Id">The user's id (the <c>sub</c> of their tokens).</param>
/// <param name="Username">The name they sign in with.</param>
/// <param name="Email">The address, or null.</param>
/// <param name="EmailVerified">Whether the address was proven by a link.</param>
/// <param name="Roles">The user's roles, lower case.</param>
/// <param name="State"><c>active</c>, <c>disabled</c> or <c>locked</c> (<see cref="UserState"/>).</param>
/// <param name="LockedUntil">When a lockout of wrong passwords ends; null unless <paramref name="State"/> is <c>locked</c>.</param>
/// <param name="CreatedAt">When the account was created (UTC).</param>
public sealed record UserSummary(
    string Id,
    string Username,
    string? Email,
    bool EmailVerified,
    IReadOnlyList<string> Roles,
    string State,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt)
{
    /// <summary>The summary of <paramref name="user"/> with <paramref name="roles"/> at <paramref name="now"/>.</summary>
    public static UserSummary For(ApplicationUser user, IReadOnlyList<string> roles, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        var state = UserState.Of(user, now);
        return new(user.Id, user.UserName!, user.Email, user.EmailConfirmed, roles, state,
            state == UserState.Locked ? user.LockoutEnd : null, user.CreatedAt);
    }
}

/// <summary>One page of a user search: the users, and the cursor of the next page (null on the last).</summary>
public sealed record UserPage(IReadOnlyList<UserSummary> Users, string? Next);
