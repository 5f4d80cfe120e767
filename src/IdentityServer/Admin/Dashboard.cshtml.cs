using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Identity;
using static IdentityHost.IdentityServer.Admin.DashboardMetrics;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>The dashboard (<c>/admin</c>): this node's sign-ins, failures, lockouts and tokens as charts, and the health of the database and the outbox.</summary>
public sealed class DashboardModel(UserManager<ApplicationUser> users, DashboardMetrics metrics, SystemHealth health, TimeProvider clock)
    : AdminPage(users)
{
    /// <summary>Minutes per point of the charts.</summary>
    public int StepMinutes => 5;

    /// <summary>Hours the charts cover.</summary>
    public int Hours => DashboardMetrics.Hours;

    public DateTimeOffset Started => metrics.Started;

    public HealthReport Health { get; private set; } = null!;

    public (long SignIns, long Failures, long Lockouts, long Tokens) Totals { get; private set; }

    public IHtmlContent SignInChart { get; private set; } = HtmlString.Empty;

    public IHtmlContent LockoutChart { get; private set; } = HtmlString.Empty;

    public IHtmlContent TokenChart { get; private set; } = HtmlString.Empty;

    public async Task OnGetAsync()
    {
        Health = await health.ReadAsync(HttpContext.RequestAborted);
        var minutes = Hours * 60;
        var step = TimeSpan.FromMinutes(StepMinutes);
        var now = clock.GetUtcNow();
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        IReadOnlyList<long> Read(string series) => metrics.Read(series, minutes, StepMinutes);
        Totals = (metrics.Total(Series.SignIns, minutes), metrics.Total(Series.SignInFailures, minutes),
            metrics.Total(Series.Lockouts, minutes), metrics.Total(Series.TokensIssued, minutes));
        SignInChart = SvgChart.Render("Sign-ins succeeded and failed", [
            new ChartSeries("Succeeded", "#2456c6", Read(Series.SignIns)),
            new ChartSeries("Failed", "#b42318", Read(Series.SignInFailures)),
        ], step, end);
        LockoutChart = SvgChart.Render("Lockouts", [new ChartSeries("Lockouts", "#c27a00", Read(Series.Lockouts))], step, end);
        TokenChart = SvgChart.Render("Tokens issued", [new ChartSeries("Tokens issued", "#1c7a3e", Read(Series.TokensIssued))], step, end);
    }
}
