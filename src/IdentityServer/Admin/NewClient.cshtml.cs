using System.Text.RegularExpressions;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>Creating a client (<c>/admin/clients/new</c>); a confidential one's secret is shown once, in the answer.</summary>
public sealed partial class NewClientModel(UserManager<ApplicationUser> users, ClientAdministration clients) : AdminPage(users)
{
    [BindProperty]
    public ClientForm Form { get; set; } = new();

    public ClientView? Created { get; private set; }

    public string? Secret { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var clientId = Form.ClientId?.Trim() ?? string.Empty;
        if (clientId.Length is 0 or > 100 || !ClientIdPattern().IsMatch(clientId))
        {
            return Fail(StatusCodes.Status400BadRequest, "The client id is 1 to 100 letters, digits and . _ ~ -.");
        }

        var result = await clients.CreateAsync(Form.ToRegistration(clientId, []), Form.Confidential, AdminId, HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case ClientChangeOutcome.Done:
                Created = result.Client;
                Secret = result.Secret;
                // Note: the secret is in this answer only; nothing may keep it.
                Response.Headers.CacheControl = "no-store";
                return Page();
            case ClientChangeOutcome.Exists:
                return Fail(StatusCodes.Status409Conflict, "A client has this id already.");
            default:
                return Fail(StatusCodes.Status400BadRequest, [.. (result.Problems ?? []).Select(problem => problem.Message)]);
        }
    }

    private PageResult Fail(int status, params string[] errors)
    {
        Errors = errors;
        Response.StatusCode = status;
        return Page();
    }

    [GeneratedRegex("^[A-Za-z0-9._~-]+$")]
    private static partial Regex ClientIdPattern();
}
