using System.Collections.Immutable;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// Asks a signed-in user whether a third-party client may have the scopes it requested. Allowing stores a
/// permanent authorization (so the question is asked once); either way the browser returns to the authorization
/// request, which then issues a code or an access_denied error.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class ConsentModel(
    UserManager<ApplicationUser> users,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string ClientName { get; private set; } = string.Empty;

    public IReadOnlyList<string> ScopeDescriptions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var request = await ReadRequestAsync();
        if (request is null)
        {
            return InvalidRequest();
        }

        ClientName = request.Value.Name;
        ScopeDescriptions = IdentityServer.SignIn.ScopeDescriptions.Describe(request.Value.Scopes);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision)
    {
        var request = await ReadRequestAsync();
        var user = await users.GetUserAsync(User);
        if (request is null || user is null)
        {
            return InvalidRequest();
        }

        if (decision != "allow")
        {
            return LocalRedirect(QueryHelpers.AddQueryString(ReturnUrl!, AuthorizationEndpoint.ConsentDeniedParameter, "1"));
        }

        var descriptor = new OpenIddictAuthorizationDescriptor
        {
            ApplicationId = request.Value.ApplicationId,
            CreationDate = clock.GetUtcNow(),
            Status = Statuses.Valid,
            Subject = user.Id,
            Type = AuthorizationTypes.Permanent,
        };
        descriptor.Scopes.UnionWith(request.Value.Scopes);
        await authorizations.CreateAsync(descriptor, HttpContext.RequestAborted);
        return LocalRedirect(ReturnUrl!);
    }

    private static ContentResult InvalidRequest() => new()
    {
        Content = ErrorPage.Render(Errors.InvalidRequest, "The consent request is not valid."),
        ContentType = "text/html; charset=utf-8",
        StatusCode = StatusCodes.Status400BadRequest,
    };

    /// <summary>The client and scopes of the authorization request in <see cref="ReturnUrl"/>, if it is one.</summary>
    private async Task<(string ApplicationId, string Name, ImmutableArray<string> Scopes)?> ReadRequestAsync()
    {
        const string AuthorizePath = RouteNames.AuthorizePath + "?";
        if (ReturnUrl is null || !Url.IsLocalUrl(ReturnUrl) || !ReturnUrl.StartsWith(AuthorizePath, StringComparison.Ordinal))
        {
            return null;
        }

        var query = QueryHelpers.ParseQuery(ReturnUrl[(AuthorizePath.Length - 1)..]);
        var application = query.TryGetValue(Parameters.ClientId, out var clientId) && clientId.Count == 1
            ? await applications.FindByClientIdAsync(clientId.ToString(), HttpContext.RequestAborted)
            : null;
        if (application is null)
        {
            return null;
        }

        var scopes = query.TryGetValue(Parameters.Scope, out var scope)
            ? scope.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToImmutableArray()
            : [];
        return (await applications.GetIdAsync(application, HttpContext.RequestAborted) ?? string.Empty,
            await applications.GetLocalizedDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId.ToString(),
            scopes);
    }
}
