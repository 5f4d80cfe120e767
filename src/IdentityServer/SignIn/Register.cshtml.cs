using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>Self-registration (role <c>user</c>), with the same rules as <c>POST /api/auth/register</c>; then signs in.</summary>
[EnableRateLimiting(RateLimitPolicies.Registration)]
public sealed class RegisterModel(UserRegistration registration, SignInManager<ApplicationUser> signIn, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string SafeReturnUrl => ReturnUrls.Local(Url, ReturnUrl);

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await registration.RegisterAsync(
            AccountText.NormalizeUserName(UserName), AccountText.NormalizePassword(Password), Roles.User, HttpContext.RequestAborted);
        if (result.User is null)
        {
            // Note: as with the API's 409, a taken name is said plainly; registration is where names are chosen.
            Errors = result.NameTaken ? ["That username is already taken."] : [.. result.Errors.SelectMany(pair => pair.Value)];
            Response.StatusCode = result.NameTaken ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return Page();
        }

        await signIn.StartSessionAsync(result.User, clock);
        return LocalRedirect(SafeReturnUrl);
    }
}
