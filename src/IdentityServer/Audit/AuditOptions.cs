namespace IdentityHost.IdentityServer.Audit;

/// <summary><c>Audit:*</c>: how long the audit table keeps an event.</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Audit";

    /// <summary><c>Audit:Retention</c>: events older than this are pruned (default 90 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary><c>Audit:PruneInterval</c>: how often each node prunes (default one hour).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
}
