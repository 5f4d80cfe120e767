using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Common;

/// <summary>The scopes IdentityHost issues.</summary>
public static class IdentityHostScopes
{
    /// <summary>Access to the resource APIs; tokens granted it carry the API audience.</summary>
    public const string Api = "api";

    /// <summary>
    /// The administration APIs (<c>/api/users</c>, <c>/api/clients</c>, <c>/api/audit</c>): needed besides the
    /// <c>admin</c> role, so a token an administrator got for something else cannot administer. Granted only to
    /// clients configured for it, and only in tokens of users with the <c>admin</c> role.
    /// </summary>
    public const string Admin = "admin";

    /// <summary>Every scope a client may be allowed: <c>openid profile roles offline_access api email admin</c>.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Scopes.OpenId, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, Api, Scopes.Email, Admin];
}
