namespace IdentityHost.IdentityServer.Common;

/// <summary>The named authorization policies of the server's own JSON APIs (defined in Api) and of the admin console (defined in Admin).</summary>
public static class AuthorizationPolicies
{
    /// <summary>A valid access token issued by this server (validated locally).</summary>
    public const string AccessToken = "access-token";

    /// <summary>An access token of a user with the <c>admin</c> role.</summary>
    public const string Admin = "admin";

    /// <summary>An access token of the user named by the route's <c>{id}</c>, or of an administrator.</summary>
    public const string SelfOrAdmin = "self-or-admin";

    /// <summary>
    /// The admin console's pages: a user signed in on this server's own pages (its session cookie, not a token) who has
    /// the <c>admin</c> role now, in the database, and is not disabled.
    /// </summary>
    public const string AdminConsole = "admin-console";
}
