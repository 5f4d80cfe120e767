using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Holds one database connection for the whole of a token request that reads and writes users and tokens (password,
/// refresh_token and authorization_code grants), instead of EF Core opening and closing one per statement.
/// </summary>
/// <remarks>
/// Note: MySql.Data pings the server and selects the database each time a pooled connection is opened, so a refresh
/// made of six statements cost eighteen round trips. client_credentials grants are left alone: they need no database
/// at all once the client is cached (Clients.ClientLookupCache). The connection is closed when OpenIddict
/// writes the answer, and in any case when the request's context goes back to EF Core's pool.
/// </remarks>
internal sealed class TokenRequestConnection(IdentityHostDbContext database)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>,
      IOpenIddictServerHandler<OpenIddictServerEvents.ApplyTokenResponseContext>
{
    private bool _opened;

    public static OpenIddictServerHandlerDescriptor OpenDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenRequestContext>()
            .UseScopedHandler<TokenRequestConnection>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor CloseDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyTokenResponseContext>()
            .UseScopedHandler<TokenRequestConnection>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        if (_opened || context.Request.IsClientCredentialsGrantType())
        {
            return;
        }

        await database.Database.OpenConnectionAsync(context.CancellationToken);
        _opened = true;
    }

    public async ValueTask HandleAsync(OpenIddictServerEvents.ApplyTokenResponseContext context)
    {
        if (!_opened)
        {
            return;
        }

        _opened = false;
        await database.Database.CloseConnectionAsync();
    }
}
