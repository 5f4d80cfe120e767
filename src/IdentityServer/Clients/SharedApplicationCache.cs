using IdentityHost.IdentityServer.Data;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityHost.IdentityServer.Clients;

/// <summary>
/// OpenIddict's per-request application cache, with look-ups by client id answered from <see cref="ClientLookupCache"/>
/// across requests. Note: only that look-up is shared: it is the one every token request makes; the others (by id,
/// by redirect URI) stay per request, as OpenIddict does them.
/// </summary>
internal sealed class SharedApplicationCache<TApplication>(
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    IdentityHostDbContext database,
    ClientLookupCache shared) : IOpenIddictApplicationCache<TApplication>, IDisposable
    where TApplication : class
{
    private readonly OpenIddictApplicationCache<TApplication> _inner = new(options, store);

    public async ValueTask<TApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken)
    {
        if (shared.TryGet(identifier, out var cached))
        {
            return Lease((TApplication)cached!);
        }

        var application = await _inner.FindByClientIdAsync(identifier, cancellationToken);
        if (application is not null)
        {
            // Note: the cache keeps a detached copy of the values; no request ever tracks or changes that instance.
            shared.Set(identifier, database.Entry(application).CurrentValues.ToObject());
        }

        return application;
    }

    /// <summary>
    /// This request's own instance of a cached client, tracked by its context as if just read from the database, so
    /// OpenIddict may use it as usual (attach tokens to it, update it) without touching the shared copy.
    /// </summary>
    private TApplication Lease(TApplication template)
    {
        var id = database.Entry(template).Property(nameof(OpenIddictEntityFrameworkCoreApplication.Id)).CurrentValue;
        var tracked = database.ChangeTracker.Entries<TApplication>()
            .FirstOrDefault(entry => Equals(entry.Property(nameof(OpenIddictEntityFrameworkCoreApplication.Id)).CurrentValue, id));
        if (tracked is not null)
        {
            return tracked.Entity;
        }

        var instance = (TApplication)database.Entry(template).CurrentValues.ToObject();
        database.Attach(instance);
        return instance;
    }

    public async ValueTask RemoveAsync(TApplication application, CancellationToken cancellationToken)
    {
        if (await store.GetClientIdAsync(application, cancellationToken) is { Length: > 0 } clientId)
        {
            shared.Remove(clientId);
        }

        await _inner.RemoveAsync(application, cancellationToken);
    }

    public ValueTask AddAsync(TApplication application, CancellationToken cancellationToken) =>
        _inner.AddAsync(application, cancellationToken);

    public ValueTask<TApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        _inner.FindByIdAsync(identifier, cancellationToken);

    public IAsyncEnumerable<TApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        _inner.FindByPostLogoutRedirectUriAsync(uri, cancellationToken);

    public IAsyncEnumerable<TApplication> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        _inner.FindByRedirectUriAsync(uri, cancellationToken);

    public void Dispose() => _inner.Dispose();
}
