using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>Self-registration (role <c>user</c>), with the same rules as <c>POST /api/auth/register</c>; then signs in.</summary>
[EnableRateLimiting(RateLimitPolicies.Registration)]
public sealed class RegisterModel(
    UserRegistration registration,
    SignInManager<ApplicationUser> signIn,
    IOptions<AccountOptions> options,
    TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Whether the form must ask for an address (<c>Accounts:RequireEmail</c> or <c>RequireVerifiedEmail</c>).</summary>
    public bool EmailRequired => options.Value.EmailRequired;

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await registration.RegisterAsync(
            AccountText.NormalizeUserName(UserName), AccountText.NormalizePassword(Password), Roles.User, HttpContext.RequestAborted,
            string.IsNullOrWhiteSpace(Email) ? null : Email);
        if (result.User is null)
        {
            // Note: as with the API's 409, a taken name or address is said plainly; registration is where they are chosen.
            Errors = result.NameTaken ? ["That username is already taken."]
                : result.EmailTaken ? ["An account with that email address exists already."]
                : [.. result.Errors.SelectMany(pair => pair.Value)];
            Response.StatusCode = result.NameTaken || result.EmailTaken ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return Page();
        }

        if (await signIn.IsBarredAsync(result.User))
        {
            // Note: with Accounts:RequireVerifiedEmail the new account waits for its address to be confirmed.
            return LocalRedirect(RouteNames.ResendVerificationPage + "?unverified=true&usernameOrEmail=" + Uri.EscapeDataString(result.User.UserName!));
        }

        await signIn.StartSessionAsync(result.User, clock);
        return LocalRedirect(SafeReturnUrl);
    }
}
