using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>
/// Asks for a password reset link. Whatever was typed, the answer is the same page after the same work (one outbox row),
/// so it tells nobody whether the account exists or has an address.
/// </summary>
[EnableRateLimiting(RateLimitPolicies.AccountRecovery)]
public sealed class ForgotPasswordModel(PasswordRecovery recovery) : PageModel
{
    /// <summary>What every request is told.</summary>
    public const string SentMessage =
        "If an account matches, we have sent a link to choose a new password to its email address. Check your mail.";

    [BindProperty]
    public string? UsernameOrEmail { get; set; }

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

        await recovery.RequestAsync(text, HttpContext.RequestAborted);
        Sent = true;
        return Page();
    }
}
