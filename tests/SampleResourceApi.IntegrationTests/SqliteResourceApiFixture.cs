using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>The resource API trusting an identity server on SQLite.</summary>
public sealed class SqliteResourceApiFixture() : ResourceApiFixture(new SqliteServerFixture());
