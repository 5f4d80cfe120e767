using IdentityHost.Testing;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>An identity server on one database, and the resource API trusting it.</summary>
public abstract class ResourceApiFixture(IdentityServerFixture identity) : IAsyncLifetime
{
    private ResourceApiHost? _api;

    public IdentityServerFixture Identity { get; } = identity;

    /// <summary>Every request the resource API sent to the identity server.</summary>
    public CountingHandler Backchannel { get; private set; } = null!;

    public ResourceApiHost Api => _api ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async ValueTask InitializeAsync()
    {
        await Identity.InitializeAsync();
        if (Identity.SkipReason is not null)
        {
            return;
        }

        Backchannel = new CountingHandler(Identity.Host.Server.CreateHandler());
        _api = new ResourceApiHost(IdentityServerFixture.Authority, Backchannel);
        _api.CreateClient().Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        Backchannel?.Dispose();
        await Identity.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The resource API trusting an identity server on SQLite.</summary>
public sealed class SqliteResourceApiFixture() : ResourceApiFixture(new SqliteServerFixture());

/// <summary>The resource API trusting an identity server on MariaDB.</summary>
public sealed class MySqlResourceApiFixture(MariaDbServer mariaDb) : ResourceApiFixture(new MySqlServerFixture(mariaDb));
