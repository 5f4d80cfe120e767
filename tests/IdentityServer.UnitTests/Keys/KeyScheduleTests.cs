using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Keys;

namespace IdentityHost.IdentityServer.UnitTests.Keys;

/// <summary>When managed signing keys are created, sign, expire, and when the schedule next changes by itself.</summary>
public sealed class KeyScheduleTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Rotation = TimeSpan.FromDays(90);
    private static readonly TimeSpan Propagation = TimeSpan.FromDays(14);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(14) + TimeSpan.FromMinutes(5);
    private static readonly KeySchedulePolicy Policy = new("RS256", Rotation, Propagation, Retention);

    [Fact]
    public void NextKeyGivenNoKeyIsTheFirstKeySigningAtOnce()
    {
        Assert.Equal(("RS256", Start), KeySchedule.NextKey([], Start, Policy));
    }

    [Fact]
    public void NextKeyIsNoneWhileTheNewestKeyIsStillAnnounced()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.Null(KeySchedule.NextKey(keys, Start + Rotation - TimeSpan.FromDays(1), Policy));
    }

    [Fact]
    public void NextKeyIsNoneUntilTheRotationIsWithinThePropagationTime()
    {
        var keys = Keys(Start);

        Assert.Null(KeySchedule.NextKey(keys, Start + Rotation - Propagation - TimeSpan.FromTicks(1), Policy));
    }

    [Fact]
    public void NextKeyActivatesAtTheRotationOnceItIsWithinThePropagationTime()
    {
        var keys = Keys(Start);

        Assert.Equal(("RS256", Start + Rotation), KeySchedule.NextKey(keys, Start + Rotation - Propagation, Policy));
    }

    [Fact]
    public void NextKeyIsStillAnnouncedForThePropagationTimeWhenTheServerWasDownPastTheRotation()
    {
        var keys = Keys(Start);
        var now = Start + Rotation + TimeSpan.FromDays(10);

        Assert.Equal(("RS256", now + Propagation), KeySchedule.NextKey(keys, now, Policy));
    }

    [Fact]
    public void NextKeyOfANewlyConfiguredAlgorithmIsAnnouncedForThePropagationTime()
    {
        var keys = new[] { Key(1, Start, "ES256") };
        var now = Start + TimeSpan.FromDays(1);

        Assert.Equal(("RS256", now + Propagation), KeySchedule.NextKey(keys, now, Policy));
    }

    [Fact]
    public void ActiveIndexIsTheNewestActivatedKey()
    {
        var keys = Keys(Start, Start + Rotation, Start + 2 * Rotation);

        Assert.Equal(1, KeySchedule.ActiveIndex(keys, Start + Rotation + TimeSpan.FromDays(10)));
    }

    [Fact]
    public void ActiveIndexIsTheKeyWhoseActivationIsNow()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.Equal(1, KeySchedule.ActiveIndex(keys, Start + Rotation));
    }

    [Fact]
    public void ActiveIndexIsTheOldestKeyWhenNoneHasActivatedYet()
    {
        // Note: a node whose clock lags the node that created the first key.
        var keys = Keys(Start + TimeSpan.FromMinutes(1), Start + Rotation);

        Assert.Equal(0, KeySchedule.ActiveIndex(keys, Start));
    }

    [Fact]
    public void KeyExpiresOnceItsSuccessorHasSignedForTheRetention()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.False(KeySchedule.IsExpired(keys, 0, Start + Rotation + Retention - TimeSpan.FromTicks(1), Retention));
        Assert.True(KeySchedule.IsExpired(keys, 0, Start + Rotation + Retention, Retention));
    }

    [Fact]
    public void NewestKeyNeverExpires()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.False(KeySchedule.IsExpired(keys, 1, Start + 100 * Rotation, Retention));
    }

    [Fact]
    public void NextChangeGivenNoKeyIsNever()
    {
        Assert.Equal(DateTime.MaxValue, KeySchedule.NextChange([], Start, Policy));
    }

    [Fact]
    public void NextChangeGivenOneSigningKeyIsWhenItsRotationFallsDue()
    {
        var keys = Keys(Start);

        Assert.Equal(Start + Rotation - Propagation, KeySchedule.NextChange(keys, Start + TimeSpan.FromDays(1), Policy));
    }

    [Fact]
    public void NextChangeIsTheAnnouncedKeysActivation()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.Equal(Start + Rotation, KeySchedule.NextChange(keys, Start + Rotation - TimeSpan.FromDays(1), Policy));
    }

    [Fact]
    public void NextChangeAfterAnActivationIsTheRetiredKeysRemoval()
    {
        var keys = Keys(Start, Start + Rotation);

        Assert.Equal(Start + Rotation + Retention, KeySchedule.NextChange(keys, Start + Rotation, Policy));
    }

    [Fact]
    public void NextChangeIsAlwaysLaterThanNow()
    {
        var keys = Keys(Start, Start + Rotation);
        var now = Start + Rotation + Retention;

        Assert.Equal(Start + 2 * Rotation - Propagation, KeySchedule.NextChange(keys, now, Policy));
    }

    /// <summary>Signing keys of consecutive generations, activating at <paramref name="activations"/>.</summary>
    private static ServerKey[] Keys(params DateTime[] activations) =>
        [.. activations.Select((activatesAt, index) => Key(index + 1, activatesAt, "RS256"))];

    private static ServerKey Key(int generation, DateTime activatesAt, string algorithm) => new()
    {
        Id = $"key-{generation}",
        Use = ServerKey.SigningUse,
        Generation = generation,
        Algorithm = algorithm,
        CreatedAt = activatesAt - TimeSpan.FromDays(14),
        ActivatesAt = activatesAt,
        ProtectedKey = "not a real key",
    };
}
