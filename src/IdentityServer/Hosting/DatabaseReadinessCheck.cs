using System.Data.Common;
using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// Readiness: a real query on a table, through the same context, connection string and pool as requests (so a
/// multi-host connection string or a proxy is judged the way requests see it), and on a Galera member that the member
/// is Synced and in the Primary component: a partitioned member, or one still joining or donating a snapshot, answers
/// some statements and refuses others (error 1047), so a load balancer must take its node out of rotation.
/// </summary>
internal sealed class DatabaseReadinessCheck(IdentityHostDbContext database, CausalReads causalReads) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Note: AnyAsync, not FirstOrDefaultAsync without an order, which EF Core logs a warning for on each start.
            await database.Roles.AnyAsync(cancellationToken);
            if (causalReads.Cluster == DatabaseCluster.Galera && await GaleraStateAsync(cancellationToken) is { } problem)
            {
                return HealthCheckResult.Unhealthy(problem);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is DbException or DbUpdateException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database did not answer.", exception);
        }
    }

    private async Task<string?> GaleraStateAsync(CancellationToken cancellationToken)
    {
        await database.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = database.Database.GetDbConnection().CreateCommand();
            command.CommandText =
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_status', 'wsrep_ready')";
            var status = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    status[reader.GetString(0)] = reader.GetString(1);
                }
            }

            var state = status.GetValueOrDefault("wsrep_local_state_comment");
            var component = status.GetValueOrDefault("wsrep_cluster_status");
            return state == "Synced" && component == "Primary" && status.GetValueOrDefault("wsrep_ready") == "ON"
                ? null
                : $"The Galera member is {state ?? "in no known state"} in a {component ?? "unknown"} component.";
        }
        finally
        {
            await database.Database.CloseConnectionAsync();
        }
    }
}
