using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The answer to <c>prompt=select_account</c>: the signed-in user goes on as themselves, or signs out of this browser
/// session (their tokens at other applications stay) and signs in as someone else; either way the browser returns to
/// the authorization request.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class SelectAccountModel(SignInManager<ApplicationUser> signIn) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string UserName { get; private set; } = string.Empty;

    public IActionResult OnGet()
    {
        if (!IsAuthorizationRequest(ReturnUrl))
        {
            return LocalRedirect("/");
        }

        UserName = User.Identity?.Name ?? string.Empty;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        if (!IsAuthorizationRequest(ReturnUrl))
        {
            return LocalRedirect("/");
        }

        if (decision == "switch")
        {
            // Note: only this browser's session ends; "not you" is about who sits here, not about the account's logins.
            await signIn.SignOutAsync();
            return LocalRedirect(RouteNames.LoginPage + "?returnUrl=" + Uri.EscapeDataString(ReturnUrl!));
        }

        return LocalRedirect(ReturnUrl!);
    }

    private bool IsAuthorizationRequest(string? returnUrl) =>
        returnUrl is not null && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith(RouteNames.AuthorizePath + "?", StringComparison.Ordinal);
}
