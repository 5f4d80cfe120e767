using IdentityHost.IdentityServer.Accounts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// The userinfo and end-session passthroughs. OpenIddict has validated the request (the access token at
/// userinfo, the <c>id_token_hint</c> and <c>post_logout_redirect_uri</c> at end-session); these answer it.
/// </summary>
public static class SessionEndpoints
{
    /// <summary>Maps <c>/connect/userinfo</c> and <c>/connect/endsession</c> (GET and POST).</summary>
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoAsync).ExcludeFromDescription();
        endpoints.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, UserManager<ApplicationUser> users)
    {
        var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var subject = principal?.GetClaim(Claims.Subject);
        var user = subject is null ? null : await users.FindByIdAsync(subject);
        if (user is null)
        {
            // Note: a client_credentials token names no user, and a deleted user has no profile.
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The access token does not name a user.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (principal!.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.UserName!;
            claims[Claims.PreferredUsername] = user.UserName!;
        }

        if (principal!.HasScope(Scopes.Roles))
        {
            claims[Claims.Role] = await users.GetRolesAsync(user);
        }

        return Results.Ok(claims);
    }

    private static async Task<IResult> EndSessionAsync(HttpContext context, TokenRevoker revoker)
    {
        if (context.GetOpenIddictServerResponse() is { Error.Length: > 0 } failure)
        {
            return SignIn.ErrorPage.For(failure.Error, failure.ErrorDescription);
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
                ? Results.Redirect("/account/logout")
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
