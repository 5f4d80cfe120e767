using IdentityHost.IdentityServer.Data;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Sessions;

/// <summary>
/// Deletes, once an hour, the session rows whose authorization is gone (pruned, or its user deleted by an administrator)
/// or no longer valid; the account pages never show them, since they list only logins that hold a working token.
/// </summary>
internal sealed class SessionPruner(IServiceScopeFactory scopes, ILogger<SessionPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
                var authorizations = database.Set<OpenIddictEntityFrameworkCoreAuthorization>();
                var pruned = await database.UserSessions
                    .Where(session => !authorizations.Any(authorization => authorization.Id == session.AuthorizationId && authorization.Status == Statuses.Valid))
                    .DeleteRowsAsync(database, stoppingToken);
                if (pruned > 0)
                {
                    logger.LogInformation("Pruned {Count} session rows of ended logins", pruned);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Session rows could not be pruned; trying again in an hour");
            }
        }
    }
}
