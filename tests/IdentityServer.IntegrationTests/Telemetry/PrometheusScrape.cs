using System.Globalization;
using System.Text.RegularExpressions;

namespace IdentityHost.IdentityServer.IntegrationTests.Telemetry;

/// <summary>One scrape of <c>/metrics</c> in the Prometheus text format, read series by series.</summary>
internal sealed partial class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _series = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SeriesLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Not a Prometheus sample line: {line}");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["key"].Value, pair => pair.Groups["value"].Value, StringComparer.Ordinal);
            _series.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient client, string path = "/metrics")
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The sum of every series named <paramref name="name"/> whose labels include <paramref name="labels"/> (0 if none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _series.Where(series => series.Name == name &&
                                labels.All(label => series.Labels.TryGetValue(label.Key, out var value) && value == label.Value))
            .Sum(series => series.Value);

    public bool Has(string name) => _series.Any(series => series.Name == name);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
