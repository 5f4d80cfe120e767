using System.Diagnostics.Metrics;
using IdentityHost.IdentityServer.Admin;
using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.DependencyInjection;
using static IdentityHost.IdentityServer.Admin.DashboardMetrics;

namespace IdentityHost.IdentityServer.UnitTests.Admin;

/// <summary>The dashboard's in-memory series: minute buckets of this host's meter, forgotten after six hours.</summary>
public sealed class DashboardMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ServiceProvider _otherHost = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SteppingClock _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 30, TimeSpan.Zero));

    [Fact]
    public void CountsEachSeriesInItsMinute()
    {
        using var dashboard = new DashboardMetrics(Meters(_services), _clock);
        var metrics = new IdentityHostMetrics(Meters(_services));

        metrics.SignIn("password", SignInResults.Succeeded);
        metrics.SignIn("password", SignInResults.Failed);
        metrics.SignIn("password", SignInResults.LockedOut);
        metrics.Lockout();
        _clock.Advance(TimeSpan.FromMinutes(1));
        metrics.TokenIssued("password");
        metrics.TokenIssued("refresh_token");

        Assert.Equal(1, dashboard.Total(Series.SignIns, 60));
        Assert.Equal(2, dashboard.Total(Series.SignInFailures, 60));
        Assert.Equal(1, dashboard.Total(Series.Lockouts, 60));
        Assert.Equal([0, 0, 0, 2], dashboard.Read(Series.TokensIssued, 4, 1));
        Assert.Equal([0, 0, 1, 0], dashboard.Read(Series.SignIns, 4, 1));
        Assert.Equal([0, 2], dashboard.Read(Series.TokensIssued, 10, 5));
    }

    [Fact]
    public void ForgetsWhatIsOlderThanSixHours()
    {
        using var dashboard = new DashboardMetrics(Meters(_services), _clock);
        var metrics = new IdentityHostMetrics(Meters(_services));
        metrics.SignIn("password", SignInResults.Succeeded);

        _clock.Advance(TimeSpan.FromHours(Hours));
        metrics.SignIn("password", SignInResults.Failed);

        Assert.Equal(0, dashboard.Total(Series.SignIns, Hours * 60));
        Assert.Equal(1, dashboard.Total(Series.SignInFailures, Hours * 60));
    }

    [Fact]
    public void CountsOnlyItsOwnHostsMeter()
    {
        using var dashboard = new DashboardMetrics(Meters(_services), _clock);
        var other = new IdentityHostMetrics(Meters(_otherHost));

        other.SignIn("password", SignInResults.Succeeded);
        other.TokenIssued("password");

        Assert.Equal(0, dashboard.Total(Series.SignIns, 60));
        Assert.Equal(0, dashboard.Total(Series.TokensIssued, 60));
    }

    public void Dispose()
    {
        _services.Dispose();
        _otherHost.Dispose();
    }

    private static IMeterFactory Meters(IServiceProvider services) => services.GetRequiredService<IMeterFactory>();

    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
