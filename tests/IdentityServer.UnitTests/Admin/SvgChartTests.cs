using IdentityHost.IdentityServer.Admin;

namespace IdentityHost.IdentityServer.UnitTests.Admin;

/// <summary>The dashboard's server-drawn charts.</summary>
public sealed class SvgChartTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(11, 20)]
    [InlineData(4_001, 5_000)]
    public void TheScaleEndsAtOneTwoOrFiveTimesAPowerOfTen(long value, long top)
    {
        Assert.Equal(top, SvgChart.NiceCeiling(value));
    }

    [Fact]
    public void ChartIsOneSvgWithALinePerSeriesAndEncodedText()
    {
        var html = SvgChart.Render("<b>Sign-ins</b>", [
            new ChartSeries("Succeeded", "#2456c6", [0, 3, 1]),
            new ChartSeries("Failed & refused", "#b42318", [1, 0, 0]),
        ], TimeSpan.FromMinutes(5), new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero)).ToString()!;

        Assert.StartsWith("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(html, "<polyline "));
        Assert.Contains("&lt;b&gt;Sign-ins&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("Failed &amp; refused: 1", html, StringComparison.Ordinal);
        Assert.Contains(">11:45</text>", html, StringComparison.Ordinal);
        Assert.Contains(">12:00 UTC</text>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
    }
}
