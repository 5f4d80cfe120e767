namespace IdentityHost.IdentityServer.Api;

/// <summary>A user as the API shows it: <c>email</c> is null without an address; <c>emailVerified</c> says whether it is confirmed.</summary>
public sealed record UserResponse(string Id, string Username, IReadOnlyList<string> Roles, string? Email = null, bool EmailVerified = false)
{
    /// <summary>The answer for <paramref name="user"/> with <paramref name="roles"/>.</summary>
    public static UserResponse For(Entities.ApplicationUser user, IReadOnlyList<string> roles)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Id, user.UserName!, roles, user.Email, user.EmailConfirmed);
    }
}
