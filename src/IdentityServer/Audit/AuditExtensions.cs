using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityHost.IdentityServer.Audit;

/// <summary>Registers the audit table: where security events are stored, searched and pruned.</summary>
public static class AuditExtensions
{
    /// <summary>
    /// Adds the audit table behind <see cref="SecurityAudit"/>: each event is stored in the caller's transaction when one
    /// is open, otherwise queued and inserted in batches (<see cref="AuditWriter"/>), which also prunes events older than
    /// <c>Audit:Retention</c>; and <see cref="AuditSearch"/> to read it.
    /// </summary>
    public static IHostApplicationBuilder AddAuditLog(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.SectionName)
            .Validate(options => options.Retention > TimeSpan.Zero, "Audit:Retention must be longer than zero.")
            .Validate(options => options.PruneInterval > TimeSpan.Zero, "Audit:PruneInterval must be longer than zero.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditBacklog>();
        builder.Services.AddScoped<IAuditSink, AuditRecorder>();
        builder.Services.AddScoped<AuditSearch>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditWriter>());
        return builder;
    }
}
