using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>The clients list (<c>/admin/clients</c>): every stored client, from configuration or made here.</summary>
public sealed class ClientsModel(UserManager<ApplicationUser> users, ClientAdministration clients) : AdminPage(users)
{
    /// <summary>The most clients the page shows; a server has tens.</summary>
    public const int Limit = 500;

    public IReadOnlyList<ClientView> Clients { get; private set; } = [];

    public async Task OnGetAsync() => Clients = await clients.ListAsync(0, Limit, HttpContext.RequestAborted);
}
