namespace IdentityHost.IdentityServer.Mail;

/// <summary>
/// Wakes this node's background sender as soon as a request has committed outbox rows, so mail leaves within
/// milliseconds instead of at the next poll; other nodes find the rows at their next poll.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Call after the transaction holding new outbox rows has committed.</summary>
    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Note: already signalled; one wake-up handles every row written meanwhile.
        }
    }

    /// <summary>Waits for <see cref="Notify"/> or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
