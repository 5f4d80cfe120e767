namespace IdentityHost.IdentityServer.Telemetry;

/// <summary>
/// The <c>Telemetry</c> section. OTLP export needs no setting of its own: it is on when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is set, and the other <c>OTEL_*</c> variables tune it.
/// </summary>
public sealed class TelemetrySettings
{
    public const string SectionName = "Telemetry";

    /// <summary>The Prometheus scrape endpoint, <c>/metrics</c>.</summary>
    public PrometheusSettings Prometheus { get; set; } = new();

    /// <summary>
    /// Whether requests are traced (ASP.NET Core, outgoing HTTP, and a span per database command). Default: on when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, since without an exporter the spans go nowhere.
    /// </summary>
    public bool? Tracing { get; set; }
}

/// <summary>The <c>Telemetry:Prometheus</c> section.</summary>
public sealed class PrometheusSettings
{
    /// <summary>
    /// Whether <c>/metrics</c> answers at all (default false): metrics say how busy the server is and how often
    /// sign-ins fail, which is not for the public.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The one local port <c>/metrics</c> answers on, for example 9464 with <c>http://+:9464</c> added to the server's
    /// URLs, so the scrape port can stay inside the network while the public port never serves metrics. Unset: the
    /// server's own ports (then keep <c>/metrics</c> away from the public at the proxy).
    /// </summary>
    public int? Port { get; set; }
}
