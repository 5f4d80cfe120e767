using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>The resource API trusting an identity server on MariaDB.</summary>
public sealed class MySqlResourceApiFixture(MariaDbServer mariaDb) : ResourceApiFixture(new MySqlServerFixture(mariaDb));
