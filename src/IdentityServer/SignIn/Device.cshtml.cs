using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The device authorization grant's verification page (RFC 8628 section 3.3): a signed-in user enters the code their
/// device shows (or follows the verification_uri_complete link), sees which application asks for what, and allows or
/// denies it. OpenIddict has checked the user code; allowing hands it the user's claims for the device's tokens.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
internal sealed class DeviceModel(
    UserManager<ApplicationUser> users,
    IOpenIddictApplicationManager applications,
    UserPrincipalFactory principals,
    SecondFactors factors,
    SecurityAudit audit,
    TimeProvider clock) : PageModel
{
    public string? UserCode { get; private set; }

    public string? ClientName { get; private set; }

    public IReadOnlyList<string> ScopeDescriptions { get; private set; } = [];

    public string? Error { get; private set; }

    /// <summary>Set once the user decided: true allowed, false denied.</summary>
    public bool? Approved { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool? approved)
    {
        if (approved is not null)
        {
            Approved = approved;
            return Page();
        }

        var result = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var code = result.Properties?.GetTokenValue(OpenIddictServerAspNetCoreConstants.Tokens.UserCode);
        if (result.Succeeded && result.Principal.GetClaim(Claims.ClientId) is { Length: > 0 } clientId)
        {
            if (await users.GetUserAsync(User) is { } user && await SecondFactorStepAsync(user, clientId) is { } step)
            {
                return step;
            }

            var application = await applications.FindByClientIdAsync(clientId, HttpContext.RequestAborted);
            ClientName = application is null ? clientId
                : await applications.GetLocalizedDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId;
            ScopeDescriptions = IdentityServer.SignIn.ScopeDescriptions.Describe(result.Principal.GetScopes());
            UserCode = code;
            return Page();
        }

        if (!string.IsNullOrEmpty(code))
        {
            Error = "That code is not valid, or it expired. Check the code your device shows now and try again.";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        var user = await users.GetUserAsync(User);
        var result = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (user is null || !result.Succeeded || result.Principal.GetClaim(Claims.ClientId) is not { Length: > 0 })
        {
            Error = "That code is not valid, or it expired. Check the code your device shows now and try again.";
            return Page();
        }

        if (await SecondFactorStepAsync(user, result.Principal.GetClaim(Claims.ClientId)!) is { } step)
        {
            return step;
        }

        if (decision != "allow")
        {
            audit.Write(AuditEvents.DeviceDenied, user.Id);
            return Forbid(new AuthenticationProperties { RedirectUri = RouteNames.DevicePage + "?approved=false" },
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        var principal = await principals.CreateAsync(user, result.Principal.GetScopes(), result.Principal.GetResources());
        principal.SetClaim(Claims.AuthenticationTime, clock.GetUtcNow().ToUnixTimeSeconds());
        // Note: the device's tokens say how the approving user signed in, as a code flow's would.
        principal.SetAuthenticationMethods(SessionClaims.MethodsOf(User));
        audit.Write(AuditEvents.DeviceApproved, user.Id);
        return SignIn(principal, new AuthenticationProperties { RedirectUri = RouteNames.DevicePage + "?approved=true" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The second factor (or its enrolment) when the device's client requires one (<c>RequireMfa</c>), or the user's role
    /// does, and this session signed in without one: the page comes back here, to this code, afterwards. Null otherwise.
    /// </summary>
    private async Task<IActionResult?> SecondFactorStepAsync(ApplicationUser user, string clientId) =>
        await MfaRequirements.SecondFactorPageAsync(factors, applications, user, SessionClaims.MethodsOf(User), clientId,
            asked: false, HttpContext.RequestAborted) is { } page
            ? Redirect(page + "?returnUrl=" + Uri.EscapeDataString(Request.Path + Request.QueryString))
            : null;
}
