using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>Sends a new verification link; the same answer whatever was typed.</summary>
[EnableRateLimiting(RateLimitPolicies.AccountRecovery)]
public sealed class ResendVerificationModel(VerificationResend resend) : PageModel
{
    /// <summary>What every request is told.</summary>
    public const string SentMessage = "If an account matches and its address is waiting to be confirmed, we have sent it a new link.";

    [BindProperty(SupportsGet = true)]
    public string? UsernameOrEmail { get; set; }

    /// <summary>Set by the sign-in page, which sends here a user whose address is not confirmed yet.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Unverified { get; set; }

    public bool Sent { get; private set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var text = UsernameOrEmail?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > RecoveryRequest.MaxLength)
        {
            Error = "Give your username or email address.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await resend.RequestAsync(text, HttpContext.RequestAborted);
        Sent = true;
        return Page();
    }
}
