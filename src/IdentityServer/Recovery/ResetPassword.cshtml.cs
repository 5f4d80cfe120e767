using IdentityHost.IdentityServer.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>
/// The page a reset link opens. Opening it changes nothing (mail scanners open links); the form sets the password.
/// </summary>
public sealed class ResetPasswordModel(PasswordRecovery recovery) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    public bool Done { get; private set; }

    public bool TokenInvalid { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
        TokenInvalid = string.IsNullOrEmpty(Token);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await recovery.ResetAsync(Token, AccountText.NormalizePassword(NewPassword), HttpContext.RequestAborted);
        Done = result.Succeeded;
        TokenInvalid = result.TokenInvalid;
        Errors = result.PasswordErrors;
        if (!result.Succeeded)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return Page();
    }
}
