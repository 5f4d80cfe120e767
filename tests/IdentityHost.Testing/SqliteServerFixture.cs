namespace IdentityHost.Testing;

/// <summary>An identity server on a temporary SQLite file.</summary>
public class SqliteServerFixture() : IdentityServerFixture(DatabaseKind.Sqlite, mariaDb: null);
