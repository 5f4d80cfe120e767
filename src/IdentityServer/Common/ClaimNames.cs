namespace IdentityHost.IdentityServer.Common;

/// <summary>The claims IdentityHost itself defines (the standard ones are OpenIddict's <c>Claims</c> constants).</summary>
public static class ClaimNames
{
    /// <summary>
    /// When the login behind a chain of refresh tokens happened (Unix milliseconds). Note: it has no destination, so
    /// OpenIddict keeps it in codes and refresh tokens only; access and identity tokens never carry it.
    /// </summary>
    public const string LoginStarted = "identityhost_login_started";

    /// <summary>When the user of a session signed in with a password, in Unix seconds (OpenID Connect's <c>auth_time</c>).</summary>
    public const string AuthenticationTime = "auth_time";

    /// <summary>How the user authenticated (RFC 8176).</summary>
    public const string AuthenticationMethods = "amr";

    /// <summary>The authentication context class the sign-in satisfied (OpenID Connect's <c>acr</c>).</summary>
    public const string AuthenticationContext = "acr";
}
