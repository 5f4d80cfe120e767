using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The <c>/connect/endsession</c> passthrough (OpenID Connect RP-initiated logout). OpenIddict has validated the
/// request (the <c>id_token_hint</c> and <c>post_logout_redirect_uri</c>); this ends the session and the user's logins.
/// </summary>
internal static class EndSessionEndpoint
{
    public static async Task<IResult> EndSessionAsync(HttpContext context, TokenRevoker revoker)
    {
        if (context.GetOpenIddictServerResponse() is { Error.Length: > 0 } failure)
        {
            return ErrorPage.For(failure.Error, failure.ErrorDescription);
        }

        // Note: only a request carrying the client's id_token_hint ends the session here. Without one, anyone's
        // link could sign the user out and revoke their tokens (the session cookie is SameSite=Lax, so it comes
        // along on a cross-site link), so the user confirms on the sign-out page instead.
        var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var subject = principal?.GetClaim(Claims.Subject);
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (subject is null)
        {
            return session.Succeeded
                ? Results.Redirect(RouteNames.LogoutPage)
                : Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        if (session.Succeeded)
        {
            await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        }

        // Note: signing out ends every refresh token of the user (all devices), as there is no per-device
        // session to single out yet.
        await revoker.RevokeUserAsync(subject, "signed out", context.RequestAborted);

        // Note: OpenIddict sends the browser to the post_logout_redirect_uri it has checked against the client's
        // registration, with the state; without one, to the home page.
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
