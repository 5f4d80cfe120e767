namespace IdentityHost.Testing;

/// <summary>
/// A clock a test can move forward: real time plus an offset. Note: time keeps flowing, so timeouts and timers
/// behave as usual; only "now" jumps when the test calls <see cref="Advance"/>.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
