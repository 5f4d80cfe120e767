namespace IdentityHost.IdentityServer.Data;

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>The name of the connection string, under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "IdentityHost";

    /// <summary><c>Sqlite</c> (default) or <c>MySql</c>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Applies pending EF Core migrations when the server starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
