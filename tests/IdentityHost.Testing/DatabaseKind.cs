namespace IdentityHost.Testing;

/// <summary>The database a test host runs on.</summary>
public enum DatabaseKind
{
    Sqlite,
    MySql,
}
