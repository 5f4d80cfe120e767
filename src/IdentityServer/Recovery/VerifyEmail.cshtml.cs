using IdentityHost.IdentityServer.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>The page a verification link opens; as with reset links, opening it changes nothing until the form is sent.</summary>
public sealed class VerifyEmailModel(AccountEmails emails) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public EmailVerificationResult? Result { get; private set; }

    public void OnGet()
    {
        if (string.IsNullOrEmpty(Token))
        {
            Result = EmailVerificationResult.Invalid;
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Result = await emails.VerifyAsync(Token, HttpContext.RequestAborted);
        if (Result != EmailVerificationResult.Verified)
        {
            Response.StatusCode = Result == EmailVerificationResult.Taken ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        }

        return Page();
    }
}
