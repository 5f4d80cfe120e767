using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>One line of a chart: its name, its colour and its values, oldest first.</summary>
public sealed record ChartSeries(string Name, string Colour, IReadOnlyList<long> Values);

/// <summary>
/// Draws a small line chart as inline SVG on the server, so the dashboard needs no script. The colours are presentation
/// attributes, which the pages' Content-Security-Policy does not govern; text is HTML-encoded.
/// </summary>
public static class SvgChart
{
    private const int Width = 640;
    private const int Height = 180;
    private const int Left = 44;
    private const int Right = 8;
    private const int Top = 10;
    private const int Bottom = 24;

    /// <summary>
    /// The chart of <paramref name="series"/> (all of one length), each point <paramref name="step"/> long, the last
    /// ending at <paramref name="end"/>; <paramref name="title"/> names it for screen readers.
    /// </summary>
    public static IHtmlContent Render(string title, IReadOnlyList<ChartSeries> series, TimeSpan step, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.Count == 0 ? 0 : series.Max(line => line.Values.Count);
        // Note: at least 2, so the middle grid line has a whole count.
        var max = Math.Max(2, series.SelectMany(line => line.Values).DefaultIfEmpty(0).Max());
        var top = NiceCeiling(max);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var html = HtmlEncoder.Default;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" role=\"img\" aria-label=\"{html.Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{html.Encode(title)}</title>");

        // Note: three grid lines (0, half, top) labelled with their counts.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Top + plotHeight - (fraction * plotHeight);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#e1e4ea\" stroke-width=\"1\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5a6375\">{Math.Round(top * fraction):0}</text>");
        }

        var start = end - (step * points);
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left}\" y=\"{Height - 6}\" font-size=\"11\" fill=\"#5a6375\">{start.UtcDateTime:HH:mm}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Width - Right}\" y=\"{Height - 6}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5a6375\">{end.UtcDateTime:HH:mm} UTC</text>");

        foreach (var line in series)
        {
            if (line.Values.Count == 0)
            {
                continue;
            }

            var coordinates = new StringBuilder();
            for (var index = 0; index < line.Values.Count; index++)
            {
                var x = Left + (line.Values.Count == 1 ? plotWidth : index * plotWidth / (double)(line.Values.Count - 1));
                var y = Top + plotHeight - (line.Values[index] * plotHeight / (double)top);
                coordinates.Append(CultureInfo.InvariantCulture, $"{(index == 0 ? string.Empty : " ")}{x:0.#},{y:0.#}");
            }

            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline fill=\"none\" stroke=\"{html.Encode(line.Colour)}\" stroke-width=\"2\" points=\"{coordinates}\"><title>{html.Encode(line.Name)}: {line.Values.Sum()}</title></polyline>");
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>The smallest of 1, 2 or 5 times a power of ten that is at least <paramref name="value"/>.</summary>
    public static long NiceCeiling(long value)
    {
        long power = 1;
        while (true)
        {
            foreach (var factor in new long[] { 1, 2, 5 })
            {
                if (factor * power >= value)
                {
                    return factor * power;
                }
            }

            power *= 10;
        }
    }
}
