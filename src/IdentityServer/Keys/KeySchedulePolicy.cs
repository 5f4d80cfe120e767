namespace IdentityHost.IdentityServer.Keys;

/// <summary>The settings <see cref="KeySchedule"/> applies.</summary>
/// <param name="Algorithm">The algorithm of new signing keys (RS256 or ES256).</param>
/// <param name="RotationInterval">How long a key signs.</param>
/// <param name="PropagationTime">How long a key is announced before it signs.</param>
/// <param name="Retention">How long a retired key stays published: the longest token lifetime plus clock skew.</param>
internal sealed record KeySchedulePolicy(string Algorithm, TimeSpan RotationInterval, TimeSpan PropagationTime, TimeSpan Retention);
