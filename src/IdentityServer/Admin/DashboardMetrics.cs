using System.Diagnostics.Metrics;
using IdentityHost.IdentityServer.Common;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// The dashboard's time series: a <see cref="MeterListener"/> on this host's <see cref="IdentityHostMetrics"/> meter that
/// counts sign-ins (succeeded, failed), lockouts and tokens issued in one-minute buckets for the last
/// <see cref="Hours"/> hours. In memory, so it covers this node since it started; each node of a cluster has its own.
/// </summary>
/// <remarks>
/// Note: only the meter of this host's <see cref="IMeterFactory"/> is listened to (its <see cref="Meter.Scope"/>), so two
/// hosts in one process (the tests) count apart. Recording takes a short lock per measurement; the instruments count
/// sign-ins and token responses, each of which costs far more.
/// </remarks>
public sealed class DashboardMetrics : IDisposable
{
    /// <summary>How many hours the series keep.</summary>
    public const int Hours = 6;

    private const int Buckets = Hours * 60;

    private readonly TimeProvider _clock;
    private readonly MeterListener _listener;
    private readonly Lock _lock = new();
    private readonly long[] _minutes = new long[Buckets];
    private readonly long[][] _counts = [.. Enumerable.Range(0, Series.All.Count).Select(_ => new long[Buckets])];

    public DashboardMetrics(IMeterFactory meters, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _clock = clock;
        Started = clock.GetUtcNow();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == IdentityHostMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters) &&
                    instrument.Name is SignInsInstrument or LockoutsInstrument or TokensInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>When this node started counting.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>
    /// The counts of <paramref name="series"/> for the last <paramref name="minutes"/> minutes, summed by
    /// <paramref name="step"/> minutes, oldest first, ending with the current minute.
    /// </summary>
    public IReadOnlyList<long> Read(string series, int minutes, int step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, Buckets);
        var index = IndexOf(series);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var now = Minute(_clock.GetUtcNow());
        var points = new long[minutes / step];
        lock (_lock)
        {
            for (var minute = now - (points.Length * step) + 1; minute <= now; minute++)
            {
                var slot = Slot(minute);
                if (_minutes[slot] == minute)
                {
                    points[(minute - (now - (points.Length * step) + 1)) / step] += _counts[index][slot];
                }
            }
        }

        return points;
    }

    /// <summary>The total of <paramref name="series"/> over the last <paramref name="minutes"/> minutes.</summary>
    public long Total(string series, int minutes) => Read(series, minutes, 1).Sum();

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var series = instrument.Name switch
        {
            LockoutsInstrument => Series.Lockouts,
            TokensInstrument => Series.TokensIssued,
            _ => Result(tags) switch
            {
                SignInResults.Succeeded => Series.SignIns,
                null => null,
                _ => Series.SignInFailures,
            },
        };
        if (series is null)
        {
            return;
        }

        var index = IndexOf(series);
        var minute = Minute(_clock.GetUtcNow());
        var slot = Slot(minute);
        lock (_lock)
        {
            if (_minutes[slot] != minute)
            {
                // Note: the slot last held a minute six hours ago; every series starts it again.
                _minutes[slot] = minute;
                foreach (var counts in _counts)
                {
                    counts[slot] = 0;
                }
            }

            _counts[index][slot] += value;
        }
    }

    private static string? Result(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "result")
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private static int IndexOf(string series)
    {
        for (var index = 0; index < Series.All.Count; index++)
        {
            if (Series.All[index] == series)
            {
                return index;
            }
        }

        return -1;
    }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private static int Slot(long minute) => (int)(minute % Buckets);

    private const string SignInsInstrument = "identityhost.sign_ins";
    private const string LockoutsInstrument = "identityhost.lockouts";
    private const string TokensInstrument = "identityhost.tokens_issued";

    /// <summary>The series the dashboard draws.</summary>
    public static class Series
    {
        /// <summary>Sign-ins that succeeded.</summary>
        public const string SignIns = "sign_ins";

        /// <summary>Sign-ins that failed, were refused or hit a lockout.</summary>
        public const string SignInFailures = "sign_in_failures";

        /// <summary>Accounts locked out.</summary>
        public const string Lockouts = "lockouts";

        /// <summary>Successful token responses, every grant type.</summary>
        public const string TokensIssued = "tokens_issued";

        /// <summary>Every series, in a fixed order.</summary>
        public static IReadOnlyList<string> All { get; } = [SignIns, SignInFailures, Lockouts, TokensIssued];
    }
}
