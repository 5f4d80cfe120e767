using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Common;

/// <summary>The scopes IdentityHost issues.</summary>
public static class IdentityHostScopes
{
    /// <summary>Access to the resource APIs; tokens granted it carry the API audience.</summary>
    public const string Api = "api";

    /// <summary>Every scope a client may be allowed: <c>openid profile roles offline_access api</c>.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Scopes.OpenId, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, Api];
}
