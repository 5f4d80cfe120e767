using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Liveness and readiness probes.</summary>
public static class HealthExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>Adds a readiness check that the database answers a query (and, on Galera, that its member is Synced and Primary).</summary>
    public static IHostApplicationBuilder AddIdentityHostHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadinessCheck>("database", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (the database answers too).</summary>
    public static IEndpointRouteBuilder MapIdentityHostHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return endpoints;
    }
}
