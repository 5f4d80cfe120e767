using System.Globalization;

namespace IdentityHost.IdentityServer.IntegrationTests;

/// <summary>
/// Response times of several cases measured in rounds (each round runs every case once, in a random order), compared
/// with one reference case the way the timing tests need: by the median of the same-round differences.
/// </summary>
/// <remarks>
/// Note: a constant difference between two cases shows in full in that median, while a burst of load from another
/// process (CI runs the other test assemblies beside this one) slows both samples of a round alike and cancels out.
/// Comparing the cases' own medians failed under CI's load (91 against 115 ms for one case that took 56 ms alone).
/// </remarks>
internal sealed class TimingSamples(IEnumerable<string> cases, string reference)
{
    private readonly Dictionary<string, List<double>> _times = cases.ToDictionary(name => name, _ => new List<double>());

    public string Reference { get; } = reference;

    public void Add(string name, TimeSpan elapsed) => _times[name].Add(elapsed.TotalMilliseconds);

    public double MedianOf(string name) => Median(_times[name]);

    /// <summary>The median over the rounds of (this case's time − the reference's time in the same round), in ms.</summary>
    public double SameRoundDifference(string name) =>
        Median([.. _times[name].Zip(_times[Reference], (time, reference) => time - reference)]);

    /// <summary>Each case's median and same-round difference, for the test's output and its failure messages.</summary>
    public string Report() => string.Join("; ", _times.Keys.Select(name => string.Create(CultureInfo.InvariantCulture,
        $"{name} {MedianOf(name):F2} ms (same-round difference {SameRoundDifference(name):+0.00;-0.00} ms)")));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
