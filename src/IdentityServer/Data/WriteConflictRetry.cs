using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// MySQL's execution strategy: a statement or a <c>SaveChanges</c> the server rolled back for a write conflict (an
/// InnoDB deadlock, a Galera or Group Replication certification conflict, <see cref="DatabaseFailures.IsWriteConflict"/>)
/// runs again, up to <see cref="MaxAttempts"/> times in all, after a short random pause, so racing requests on
/// different members spread out instead of colliding again. A block of application code that opens a transaction of its
/// own runs again only when it says it is safe to repeat (<see cref="ExecuteRepeatableAsync{TResult}"/>); any other runs
/// once, as before. Connection failures are never retried here: whether a commit took effect is then unknown.
/// </summary>
internal sealed class WriteConflictRetry(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, MaxAttempts - 1, TimeSpan.FromMilliseconds(400))
{
    /// <summary>The first attempt and its retries.</summary>
    public const int MaxAttempts = 5;

    private static readonly AsyncLocal<bool> Repeatable = new();

    private bool _insideTransaction;

    /// <summary>
    /// Runs <paramref name="block"/>, a unit of work that begins and commits a transaction of its own, and runs it again
    /// from the start after a write conflict. The block must be safe to repeat: it starts from what it reads (the change
    /// tracker is cleared before each attempt) and has no effect outside the database before it commits.
    /// </summary>
    public static async Task<TResult> ExecuteRepeatableAsync<TResult>(IdentityHostDbContext database, Func<Task<TResult>> block)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(block);
        var strategy = database.Database.CreateExecutionStrategy();
        var previous = Repeatable.Value;
        Repeatable.Value = true;
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                Repeatable.Value = false;
                database.ChangeTracker.Clear();
                return await block();
            });
        }
        finally
        {
            Repeatable.Value = previous;
        }
    }

    public override async Task<TResult> ExecuteAsync<TState, TResult>(
        TState state,
        Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
        Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded,
        CancellationToken cancellationToken = default)
    {
        // Note: application code reaches the strategy with its block as the state (ExecutionStrategyExtensions); EF Core's
        // own statements and SaveChanges never pass a delegate. Such a block runs once unless it was declared repeatable,
        // as the outermost strategy, so its statements are not repeated one by one within its transaction.
        if (Current is null && state is Delegate && !Repeatable.Value)
        {
            Current = this;
            try
            {
                return await operation(Dependencies.CurrentContext.Context, state, cancellationToken);
            }
            finally
            {
                Current = null;
            }
        }

        return await base.ExecuteAsync(state, operation, verifySucceeded, cancellationToken);
    }

    public override TResult Execute<TState, TResult>(
        TState state, Func<DbContext, TState, TResult> operation, Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded)
    {
        if (Current is null && state is Delegate)
        {
            Current = this;
            try
            {
                return operation(Dependencies.CurrentContext.Context, state);
            }
            finally
            {
                Current = null;
            }
        }

        return base.Execute(state, operation, verifySucceeded);
    }

    protected override void OnFirstExecution()
    {
        // Note: a statement inside a transaction someone else began (not through a strategy) runs once: repeating it alone
        // after its transaction was rolled back would be wrong. EF Core would refuse such a call instead; this keeps the
        // behaviour of the provider's default strategy for it.
        _insideTransaction = Dependencies.CurrentContext.Context.Database.CurrentTransaction is not null;
        ExceptionsEncountered.Clear();
    }

    protected override bool ShouldRetryOn(Exception exception) => !_insideTransaction && DatabaseFailures.IsWriteConflict(exception);

    protected override TimeSpan? GetNextDelay(Exception lastException)
    {
        if (base.GetNextDelay(lastException) is null)
        {
            return null;
        }

        // Note: 5 to 40 ms, doubling with each attempt: a certification conflict is decided in about a round trip.
        var scale = 1 << Math.Min(ExceptionsEncountered.Count - 1, 4);
        return TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * scale);
    }
}
