using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// One client (<c>/admin/clients/{clientId}</c>): its settings, editable for clients made here; a new secret, shown
/// once on the answer to the post that made it (never put in a redirect or a cookie); deletion.
/// </summary>
public sealed class ClientModel(UserManager<ApplicationUser> users, ClientAdministration clients) : AdminPage(users)
{
    public ClientView Client { get; private set; } = null!;

    [BindProperty]
    public ClientForm Form { get; set; } = new();

    public string? NewSecret { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string clientId)
    {
        if (await clients.FindAsync(clientId, HttpContext.RequestAborted) is not { } client)
        {
            return NotFound();
        }

        Client = client;
        Form = ClientForm.For(client);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string clientId)
    {
        if (await clients.FindAsync(clientId, HttpContext.RequestAborted) is not { } client)
        {
            return NotFound();
        }

        var result = await clients.UpdateAsync(
            clientId, Form.ToRegistration(clientId, client.Settings.TokenExchangeAudiences), AdminId, HttpContext.RequestAborted);
        return Outcome(result, client, "Saved.");
    }

    public async Task<IActionResult> OnPostRotateAsync(string clientId)
    {
        var result = await clients.RotateSecretAsync(clientId, AdminId, HttpContext.RequestAborted);
        if (result.Outcome != ClientChangeOutcome.Done)
        {
            return await clients.FindAsync(clientId, HttpContext.RequestAborted) is { } client ? Outcome(result, client, string.Empty) : NotFound();
        }

        Client = result.Client!;
        Form = ClientForm.For(Client);
        NewSecret = result.Secret;
        // Note: the secret is in this answer only; nothing may keep it.
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string clientId)
    {
        switch (await clients.DeleteAsync(clientId, AdminId, HttpContext.RequestAborted))
        {
            case ClientChangeOutcome.Done:
                Status = $"Deleted the client {clientId}.";
                return RedirectToPage("/Admin/Clients");
            case ClientChangeOutcome.NotFound:
                return NotFound();
            default:
                Client = (await clients.FindAsync(clientId, HttpContext.RequestAborted))!;
                Form = ClientForm.For(Client);
                Errors = ["This client comes from configuration; change it there."];
                Response.StatusCode = StatusCodes.Status409Conflict;
                return Page();
        }
    }

    private IActionResult Outcome(ClientChangeResult result, ClientView client, string done)
    {
        switch (result.Outcome)
        {
            case ClientChangeOutcome.Done:
                Status = done;
                return RedirectToPage(new { clientId = client.Settings.ClientId });
            case ClientChangeOutcome.NotFound:
                return NotFound();
            default:
                Client = client;
                Errors = result.Outcome == ClientChangeOutcome.ReadOnly
                    ? ["This client comes from configuration; change it there."]
                    : [.. (result.Problems ?? []).Select(problem => problem.Message)];
                Response.StatusCode = result.Outcome == ClientChangeOutcome.ReadOnly ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
                return Page();
        }
    }
}
