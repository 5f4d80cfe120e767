namespace IdentityHost.IdentityServer.Common;

/// <summary>Names and paths that one feature uses to point at another's endpoints.</summary>
public static class RouteNames
{
    /// <summary>The endpoint name of <c>GET /api/users/{id}</c>, for <c>Location</c> headers.</summary>
    public const string GetUser = "GetUser";

    /// <summary>The seed project's JSON login, answered by the token endpoint.</summary>
    public const string SeedLoginPath = "/api/auth/login";

    /// <summary>The token endpoint.</summary>
    public const string TokenPath = "/connect/token";

    /// <summary>The authorization endpoint.</summary>
    public const string AuthorizePath = "/connect/authorize";

    /// <summary>The sign-in page.</summary>
    public const string LoginPage = "/account/login";

    /// <summary>The sign-out page.</summary>
    public const string LogoutPage = "/account/logout";

    /// <summary>The page that asks a signed-in user whether to go on as themselves (prompt=select_account).</summary>
    public const string SelectAccountPage = "/account/select-account";

    /// <summary>The page where a user enters and approves a device's user code (RFC 8628's verification_uri).</summary>
    public const string DevicePage = "/account/device";

    /// <summary>The consent page.</summary>
    public const string ConsentPage = "/account/consent";

    /// <summary>The account page (profile, sessions, connected apps).</summary>
    public const string AccountPage = "/account";

    /// <summary>The page that asks for a password reset link.</summary>
    public const string ForgotPasswordPage = "/account/forgot-password";

    /// <summary>The page a password reset link opens.</summary>
    public const string ResetPasswordPage = "/account/reset-password";

    /// <summary>The page an email verification link opens.</summary>
    public const string VerifyEmailPage = "/account/verify-email";

    /// <summary>The page that sends a new verification link.</summary>
    public const string ResendVerificationPage = "/account/verify-email/resend";

    /// <summary>The account page of the second factors (authenticator app, recovery codes).</summary>
    public const string TwoFactorPage = "/account/two-factor";

    /// <summary>The account page of passkeys (register, rename, remove).</summary>
    public const string PasskeysPage = "/account/passkeys";

    /// <summary>The sign-in page's second step: the authenticator or recovery code after the password.</summary>
    public const string SecondFactorPage = "/account/login/second-factor";

    /// <summary>The sign-in page's guided enrolment, for users who must have a second factor and have none yet.</summary>
    public const string EnrolPage = "/account/login/enrol";
}
