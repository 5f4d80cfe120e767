using IdentityHost.Testing;

// Note: one private MariaDB server for the whole run; each test class gets its own database on it.
[assembly: AssemblyFixture(typeof(MariaDbServer))]
