using IdentityHost.IdentityServer.Entities;
namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// When managed signing keys are announced, sign, retire and go (pure rules over the stored rows, ordered by
/// generation). A key is announced from its creation, signs from its activation until the next generation's
/// activation, stays published for <see cref="KeySchedulePolicy.Retention"/> after that (the longest life of a
/// token it signed), then is removed.
/// </summary>
internal static class KeySchedule
{
    /// <summary>True once every token the key at <paramref name="index"/> signed has expired.</summary>
    public static bool IsExpired(IReadOnlyList<ServerKey> ordered, int index, DateTime now, TimeSpan retention) =>
        index + 1 < ordered.Count && ordered[index + 1].ActivatesAt + retention <= now;

    /// <summary>
    /// The key that signs now: the newest activated one. Note: if none has activated yet (a node whose clock
    /// lags the one that created the first key), the oldest signs rather than none.
    /// </summary>
    public static int ActiveIndex(IReadOnlyList<ServerKey> ordered, DateTime now)
    {
        for (var index = ordered.Count - 1; index >= 0; index--)
        {
            if (ordered[index].ActivatesAt <= now)
            {
                return index;
            }
        }

        return 0;
    }

    /// <summary>
    /// The key to create now, if any: the first key (signing at once, as no one can have cached a key set yet),
    /// the successor of a key whose rotation is within <see cref="KeySchedulePolicy.PropagationTime"/>, or a key
    /// of the configured algorithm when it changed. A successor is always announced for the full propagation
    /// time first; if the server was down past a rotation date, the old key signs a little longer instead.
    /// </summary>
    public static (string Algorithm, DateTime ActivatesAt)? NextKey(IReadOnlyList<ServerKey> ordered, DateTime now, KeySchedulePolicy policy)
    {
        if (ordered.Count == 0)
        {
            return (policy.Algorithm, now);
        }

        var newest = ordered[^1];
        if (newest.ActivatesAt > now)
        {
            return null;
        }

        if (!string.Equals(newest.Algorithm, policy.Algorithm, StringComparison.Ordinal))
        {
            return (policy.Algorithm, now + policy.PropagationTime);
        }

        var rotation = newest.ActivatesAt + policy.RotationInterval;
        return now >= rotation - policy.PropagationTime
            ? (policy.Algorithm, Max(rotation, now + policy.PropagationTime))
            : null;
    }

    /// <summary>The next moment this schedule changes by itself (an activation, a removal, a rotation falling due).</summary>
    public static DateTime NextChange(IReadOnlyList<ServerKey> ordered, DateTime now, KeySchedulePolicy policy)
    {
        var next = DateTime.MaxValue;
        for (var index = 0; index < ordered.Count; index++)
        {
            Consider(ordered[index].ActivatesAt);
            if (index + 1 < ordered.Count)
            {
                Consider(ordered[index + 1].ActivatesAt + policy.Retention);
            }
        }

        if (ordered.Count > 0)
        {
            Consider(ordered[^1].ActivatesAt + policy.RotationInterval - policy.PropagationTime);
        }

        return next;

        void Consider(DateTime moment)
        {
            if (moment > now && moment < next)
            {
                next = moment;
            }
        }
    }

    private static DateTime Max(DateTime left, DateTime right) => left > right ? left : right;
}
