namespace IdentityHost.IdentityServer.Common;

/// <summary>For background work that can wait until the server has started, so it does not share the CPU with start-up.</summary>
internal static class HostStart
{
    /// <summary>
    /// Completes once <see cref="IHostApplicationLifetime.ApplicationStarted"/> has fired (at once if it has), or is
    /// cancelled with <paramref name="stoppingToken"/>.
    /// </summary>
    public static async Task WaitForStartAsync(this IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }
    }
}
