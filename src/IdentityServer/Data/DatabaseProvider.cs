namespace IdentityHost.IdentityServer.Data;

/// <summary>The database engines IdentityHost can store its data in.</summary>
public enum DatabaseProvider
{
    /// <summary>An embedded SQLite file: the default, so the server runs on a bare machine.</summary>
    Sqlite,

    /// <summary>MySQL 8.x (or MariaDB 10.11+): the production store.</summary>
    MySql,
}
