using IdentityHost.IdentityServer.Common;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>What each scope lets an application do, in the words the consent and device pages show the user.</summary>
internal static class ScopeDescriptions
{
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [Scopes.OpenId] = "Know who you are (your account id)",
        [Scopes.Profile] = "See your username",
        [Scopes.Roles] = "See your roles",
        [Scopes.Email] = "See your email address",
        [Scopes.OfflineAccess] = "Stay signed in when you are away (refresh tokens)",
        [IdentityHostScopes.Api] = "Call the APIs that trust IdentityHost on your behalf",
        [IdentityHostScopes.Admin] = "Administer this server with your administrator rights (users, applications, audit log)",
    };

    public static IReadOnlyList<string> Describe(IEnumerable<string> scopes) =>
        [.. scopes.Select(scope => Descriptions.GetValueOrDefault(scope, scope))];
}
