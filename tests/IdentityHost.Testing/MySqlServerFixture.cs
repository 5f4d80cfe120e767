namespace IdentityHost.Testing;

/// <summary>An identity server on a fresh database of the shared MariaDB server.</summary>
public class MySqlServerFixture(MariaDbServer mariaDb) : IdentityServerFixture(DatabaseKind.MySql, mariaDb);
