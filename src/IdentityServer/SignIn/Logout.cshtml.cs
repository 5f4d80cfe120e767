using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// Ends the session on this server and revokes the user's refresh tokens, like end-session with an
/// <c>id_token_hint</c> (a form, so another site cannot sign the user out with a link).
/// </summary>
public sealed class LogoutModel(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users, TokenRevoker revoker) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (users.GetUserId(User) is { } userId)
        {
            await revoker.RevokeUserAsync(userId, "signed out", HttpContext.RequestAborted);
        }

        await signIn.SignOutAsync();
        await PendingSignIn.EndAsync(HttpContext);
        return LocalRedirect("/");
    }
}
