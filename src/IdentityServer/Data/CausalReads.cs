using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityHost.IdentityServer.Data;

/// <summary>The kind of MySQL-compatible server IdentityHost runs on, as far as replication is concerned.</summary>
public enum DatabaseCluster
{
    /// <summary>One server (or an asynchronous replica set, where IdentityHost writes and reads the primary only).</summary>
    None,

    /// <summary>A MariaDB Galera cluster member (<c>wsrep_on=ON</c>).</summary>
    Galera,

    /// <summary>A MySQL Group Replication (InnoDB Cluster) member.</summary>
    GroupReplication,
}

/// <summary>
/// Read-your-writes on every member of a cluster. Galera and Group Replication apply a commit on the other members
/// asynchronously, so by default a read on one member may not see what another acknowledged a moment ago: a revoked
/// refresh token, a changed password, a new user. Each session therefore asks the engine to wait, before a read, until
/// the member has applied every transaction the cluster committed before it: <c>wsrep_sync_wait=1</c> on Galera,
/// <c>group_replication_consistency='BEFORE'</c> on Group Replication, unless the server's global setting already does.
/// <see cref="DetectAsync"/> finds out at start-up, and <see cref="VerifyAsync"/> checks that a session sees it.
/// </summary>
public sealed class CausalReads : DbConnectionInterceptor
{
    private volatile string? _sessionStatement;

    /// <summary>What the server is; <see cref="DatabaseCluster.None"/> until <see cref="DetectAsync"/> ran.</summary>
    public DatabaseCluster Cluster { get; private set; }

    /// <summary>The statement each new session runs, or null when the server's own setting is enough (or not a cluster).</summary>
    public string? SessionStatement => _sessionStatement;

    /// <summary>Reads the server's replication settings on <paramref name="context"/>'s connection and decides what sessions need.</summary>
    public async Task DetectAsync(IdentityHostDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Database.IsRelational() || context.Database.IsSqlite())
        {
            return;
        }

        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var variables = await ReadPairsAsync(connection,
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_sync_wait', 'group_replication_consistency')",
                cancellationToken);
            if (variables.TryGetValue("wsrep_on", out var on) && on.Equals("ON", StringComparison.OrdinalIgnoreCase))
            {
                Cluster = DatabaseCluster.Galera;
                var global = int.TryParse(variables.GetValueOrDefault("wsrep_sync_wait"), out var value) ? value : 0;
                // Note: bit 1 makes reads (SELECT, SHOW, BEGIN) wait for the member to catch up; other bits the server's
                // administrator set are kept.
                _sessionStatement = (global & 1) == 1 ? null : $"SET SESSION wsrep_sync_wait = {global | 1}";
            }
            else if (variables.TryGetValue("group_replication_consistency", out var consistency) &&
                     await IsGroupMemberAsync(connection, cancellationToken))
            {
                Cluster = DatabaseCluster.GroupReplication;
                _sessionStatement = consistency.ToUpperInvariant() is "BEFORE" or "AFTER" or "BEFORE_AND_AFTER"
                    ? null
                    : "SET SESSION group_replication_consistency = 'BEFORE'";
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Fails, naming the setting, when a new session of <paramref name="context"/> would not read its cluster's latest writes.</summary>
    public async Task VerifyAsync(IdentityHostDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Cluster == DatabaseCluster.None)
        {
            return;
        }

        var name = Cluster == DatabaseCluster.Galera ? "wsrep_sync_wait" : "group_replication_consistency";
        await context.Database.OpenConnectionAsync(cancellationToken);
        string? value;
        try
        {
            await using var command = context.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT CAST(@@SESSION.{name} AS CHAR)";
            value = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }

        var causal = Cluster == DatabaseCluster.Galera
            ? int.TryParse(value, out var bits) && (bits & 1) == 1
            : value?.ToUpperInvariant() is "BEFORE" or "AFTER" or "BEFORE_AND_AFTER";
        if (!causal)
        {
            throw new InvalidOperationException(
                $"The database is a {Cluster} cluster member, but a session reads with {name}={value}: reads on one member " +
                "could miss writes acknowledged by another. Set it on the server, or let IdentityHost's sessions set it.");
        }
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_sessionStatement is { } statement)
        {
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_sessionStatement is { } statement)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<bool> IsGroupMemberAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT COUNT(*) FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid AND MEMBER_STATE = 'ONLINE'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<Dictionary<string, string>> ReadPairsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs[reader.GetString(0)] = reader.IsDBNull(1) ? string.Empty : reader.GetString(1);
        }

        return pairs;
    }
}
