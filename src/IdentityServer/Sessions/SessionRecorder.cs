using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Sessions;

/// <summary>
/// Keeps <see cref="UserSession"/> up to date as tokens are issued, once OpenIddict has attached the authorization. A login
/// (the password grant, or the authorization endpoint issuing a code in the user's browser) writes the row with the
/// address and User-Agent it came from; a code exchange or a refresh moves only the last use, one UPDATE by primary key, and
/// none when this node wrote it less than a minute ago (<see cref="RecentSessionWrites"/>).
/// Note: a code exchange or refresh usually comes from the client's own server, whose address says nothing about the user.
/// </summary>
internal sealed class SessionRecorder(IdentityHostDbContext database, RecentSessionWrites recent, TimeProvider clock)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<SessionRecorder>()
            .SetOrder(OpenIddictServerHandlers.AttachAuthorization.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authorizationId = context.Principal?.GetAuthorizationId();
        var userId = context.Principal?.GetClaim(Claims.Subject);
        if (authorizationId is null || userId is null || context.Request.IsClientCredentialsGrantType())
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var login = context.EndpointType == OpenIddictServerEndpointType.Authorization || context.Request.IsPasswordGrantType();
        if (!login)
        {
            if (recent.WrittenRecently(authorizationId, now))
            {
                return;
            }

            var moved = await database.UserSessions.Where(row => row.AuthorizationId == authorizationId)
                .ExecuteUpdateAsync(set => set.SetProperty(row => row.LastUsedAt, now), context.CancellationToken);
            if (moved > 0)
            {
                recent.Written(authorizationId, now);
                return;
            }
        }

        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        var address = http?.Connection.RemoteIpAddress?.ToString();
        var agent = http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } value
            ? value[..Math.Min(value.Length, UserSession.UserAgentMaxLength)]
            : null;
        if (login && !context.Request.IsPasswordGrantType())
        {
            // Note: a consent (a permanent authorization) is signed in to again and again; its row takes the newest login.
            // A password grant always has a new ad-hoc authorization, so it goes straight to the INSERT.
            var updated = await database.UserSessions.Where(row => row.AuthorizationId == authorizationId)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(row => row.LastUsedAt, now)
                    .SetProperty(row => row.IpAddress, address)
                    .SetProperty(row => row.UserAgent, agent), context.CancellationToken);
            if (updated > 0)
            {
                recent.Written(authorizationId, now);
                return;
            }
        }

        try
        {
            database.UserSessions.Add(new UserSession
            {
                AuthorizationId = authorizationId,
                UserId = userId,
                ClientId = context.Request.ClientId,
                FirstUsedAt = now,
                LastUsedAt = now,
                IpAddress = login ? address : null,
                UserAgent = login ? agent : null,
            });
            await database.SaveChangesAsync(context.CancellationToken);
            recent.Written(authorizationId, now);
        }
        catch (DbUpdateException exception) when (DatabaseFailures.IsLostRace(exception))
        {
            // Note: a parallel request of the same login wrote the row first; it is as good as this one.
            database.ChangeTracker.Clear();
        }
    }
}
