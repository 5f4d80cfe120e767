using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// OpenIddict's Entity Framework Core token store, where storing a token and updating one (its redemption, above all)
/// are each one statement. Note: through Oracle's MySQL provider, EF Core's SaveChanges follows every INSERT and UPDATE
/// with <c>SELECT ROW_COUNT()</c> to learn how many rows it touched; the server already says so in its answer to the
/// statement, which <c>ExecuteUpdate</c> and a parameterised INSERT read. Every refresh stores one token and redeems
/// one, so that is two statements of a refresh's seven. The concurrency check is the same as OpenIddict's: an update
/// whose concurrency token no longer matches changes nothing and throws
/// <see cref="OpenIddictExceptions.ConcurrencyException"/>, so of two redemptions of one token only one succeeds.
/// </summary>
internal sealed class TokenRowStore(
    IMemoryCache cache,
    IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options)
    : OpenIddictEntityFrameworkCoreTokenStore(cache, context, options)
{
    private const string ApplicationId = "ApplicationId";
    private const string AuthorizationId = "AuthorizationId";

    public override async ValueTask CreateAsync(OpenIddictEntityFrameworkCoreToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        // Note: the identifier EF Core's value generator would give a string key: a new GUID.
        token.Id ??= Guid.NewGuid().ToString();
        token.ConcurrencyToken ??= Guid.NewGuid().ToString();
        var application = token.Application?.Id;
        var authorization = token.Authorization?.Id;
        var database = await Context.GetDbContextAsync(cancellationToken);
        await database.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO `OpenIddictTokens` (`Id`, `ApplicationId`, `AuthorizationId`, `ConcurrencyToken`, `CreationDate`,
                 `ExpirationDate`, `Payload`, `Properties`, `RedemptionDate`, `ReferenceId`, `Status`, `Subject`, `Type`)
             VALUES ({token.Id}, {application}, {authorization}, {token.ConcurrencyToken}, {token.CreationDate},
                 {token.ExpirationDate}, {token.Payload}, {token.Properties}, {token.RedemptionDate}, {token.ReferenceId},
                 {token.Status}, {token.Subject}, {token.Type})
             """, cancellationToken);

        // Note: tracked as stored, as after OpenIddict's own save, so that a later update of it starts from this row.
        // Its application and authorization are the ones just written (EF Core marks them loaded after its own insert);
        // else reading an absent authorization would try to load it through a foreign key EF Core did not see stored.
        var entry = database.Attach(token);
        entry.Reference(row => row.Application).IsLoaded = true;
        entry.Reference(row => row.Authorization).IsLoaded = true;
    }

    public override async ValueTask UpdateAsync(OpenIddictEntityFrameworkCoreToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        var database = await Context.GetDbContextAsync(cancellationToken);
        var entry = database.Entry(token);
        if (entry.State == EntityState.Detached)
        {
            database.Attach(token);
        }

        // Note: the foreign keys as EF Core tracks them (a navigation set since the read is reflected first), so a token
        // read without its application or authorization keeps them.
        entry.DetectChanges();
        var expected = entry.Property(row => row.ConcurrencyToken).OriginalValue;
        var next = Guid.NewGuid().ToString();
        var application = entry.Property<string?>(ApplicationId).CurrentValue;
        var authorization = entry.Property<string?>(AuthorizationId).CurrentValue;
        var id = token.Id;
        var updated = await database.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(row => row.Id == id && row.ConcurrencyToken == expected)
            .ExecuteUpdateAsync(set => set
                .SetProperty(row => EF.Property<string?>(row, ApplicationId), application)
                .SetProperty(row => EF.Property<string?>(row, AuthorizationId), authorization)
                .SetProperty(row => row.ConcurrencyToken, next)
                .SetProperty(row => row.CreationDate, token.CreationDate)
                .SetProperty(row => row.ExpirationDate, token.ExpirationDate)
                .SetProperty(row => row.Payload, token.Payload)
                .SetProperty(row => row.Properties, token.Properties)
                .SetProperty(row => row.RedemptionDate, token.RedemptionDate)
                .SetProperty(row => row.ReferenceId, token.ReferenceId)
                .SetProperty(row => row.Status, token.Status)
                .SetProperty(row => row.Subject, token.Subject)
                .SetProperty(row => row.Type, token.Type), cancellationToken);

        if (updated == 0)
        {
            // Note: as OpenIddict does after a failed save, the entity is left unchanged, so that a later save of this
            // context does not try the same update again.
            entry.State = EntityState.Unchanged;
            throw new OpenIddictExceptions.ConcurrencyException(
                "The token was changed or removed by another request since it was read; it was not updated.");
        }

        token.ConcurrencyToken = next;
        entry.OriginalValues.SetValues(entry.CurrentValues);
        entry.State = EntityState.Unchanged;
    }
}
