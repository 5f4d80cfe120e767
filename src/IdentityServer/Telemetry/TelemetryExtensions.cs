using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdentityHost.IdentityServer.Telemetry;

/// <summary>Metrics and traces with OpenTelemetry: a Prometheus scrape endpoint and OTLP export.</summary>
public static class TelemetryExtensions
{
    /// <summary>The path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The OpenTelemetry service name of the identity server.</summary>
    public const string ServiceName = "IdentityHost.IdentityServer";

    /// <summary>
    /// The meters exported besides IdentityHost's own (<see cref="IdentityHostMetrics"/>): ASP.NET Core's hosting,
    /// Kestrel, rate limiting, authentication, authorization and error handling, ASP.NET Core Identity's (new in
    /// .NET 10), outgoing HTTP, the runtime's, and EF Core's.
    /// </summary>
    public static readonly IReadOnlyList<string> BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.Identity",
        "System.Net.Http",
        "System.Runtime",
        "Microsoft.EntityFrameworkCore",
    ];

    /// <summary>
    /// Adds OpenTelemetry from the <c>Telemetry</c> section: metrics when <c>/metrics</c> is enabled or OTLP is
    /// configured, traces when <c>Telemetry:Tracing</c> says so (default: with OTLP), and OTLP export of both when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. With none of these, nothing is collected.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(TelemetrySettings.SectionName).Get<TelemetrySettings>() ?? new();
        if (settings.Prometheus.Port is < 1 or > 65535)
        {
            throw new InvalidOperationException(
                $"{TelemetrySettings.SectionName}:Prometheus:Port must be a port number from 1 to 65535 (it is {settings.Prometheus.Port}).");
        }

        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton<IdentityHostMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var metrics = settings.Prometheus.Enabled || otlp;
        var tracing = settings.Tracing ?? otlp;
        if (!metrics && !tracing)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName));
        if (metrics)
        {
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter(IdentityHostMetrics.MeterName).AddMeter([.. BuiltInMeters]);
                if (settings.Prometheus.Enabled)
                {
                    // Note: no scrape cache, so a scrape always shows every count up to that moment (the default
                    // caches 300 ms, which hides the last requests from a scrape right after them).
                    meters.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        }

        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced)
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation());
        }

        if (otlp)
        {
            // Note: only metrics and traces leave through OTLP; the log goes through Serilog (see Logging:Format).
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Serves <c>/metrics</c> when <c>Telemetry:Prometheus:Enabled</c> is true, on <c>Telemetry:Prometheus:Port</c>
    /// only when that is set. Call it first, so that a scrape passes none of the pipeline (HTTPS redirection, rate
    /// limits) meant for the public endpoints.
    /// </summary>
    public static WebApplication UseMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<TelemetrySettings>().Prometheus;
        if (settings.Enabled)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == MetricsPath &&
                (settings.Port is not { } port || context.Connection.LocalPort == port));
        }

        return app;
    }

    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health");
}
