namespace IdentityHost.IdentityServer.Hosting;

/// <summary>The <c>Hosting</c> section: how the process stops.</summary>
public sealed class HostingSettings
{
    public const string SectionName = "Hosting";

    /// <summary>
    /// How long a stop (SIGTERM, Ctrl+C) waits for in-flight requests and background work before the process
    /// ends anyway (default 30 s). Note: the orchestrator's own grace period (docker's <c>stop_grace_period</c>,
    /// Kubernetes' <c>terminationGracePeriodSeconds</c>) must be longer, or it kills the process first.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
