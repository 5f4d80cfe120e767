using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Deletes token and authorization rows that can no longer be used (expired, redeemed, revoked) once they are
/// older than <c>OpenIddict:PruneRetention</c>, every <c>OpenIddict:PruneInterval</c>.
/// </summary>
internal sealed class TokenPruner(
    IServiceScopeFactory scopes,
    IOptions<TokenServerOptions> options,
    TimeProvider clock,
    ILogger<TokenPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Note: a failed run (the database away for a moment) is retried at the next tick.
                logger.LogWarning(exception, "Pruning tokens failed; retrying in {Interval}", options.Value.PruneInterval);
            }
        }
    }

    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var threshold = clock.GetUtcNow() - options.Value.PruneRetention;
        var tokens = await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        var authorizations = await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>()
            .PruneAsync(threshold, cancellationToken);
        if (tokens + authorizations > 0)
        {
            logger.LogInformation("Pruned {TokenCount} tokens and {AuthorizationCount} authorizations", tokens, authorizations);
        }
    }
}
