using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IdentityHost.IdentityServer.Data;

/// <summary>The MySQL flavour of <see cref="IdentityHostDbContext"/>; its migrations live in Data/Migrations/MySql.</summary>
public sealed class MySqlIdentityHostDbContext(DbContextOptions<MySqlIdentityHostDbContext> options)
    : IdentityHostDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Note: Oracle's MySQL provider maps neither JSON columns nor primitive collections, so a passkey's data (one JSON
        // column in Identity's schema) is kept in columns of its row, and its transports (WebAuthn's short names, such as
        // "usb" and "internal", which hold no comma) as one comma-separated string.
        builder.Entity<IdentityUserPasskey<string>>().OwnsOne(passkey => passkey.Data, data =>
        {
            data.ToJson(null);
            data.Property(row => row.Name).HasMaxLength(PasskeyNameMaxLength);
            data.Property(row => row.Transports).HasMaxLength(256).HasConversion(
                transports => transports == null ? null : string.Join(',', transports),
                text => text == null ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries),
                new ValueComparer<string[]?>(
                    (left, right) => left == null ? right == null : right != null && left.SequenceEqual(right),
                    transports => transports == null ? 0 : string.Join(',', transports).GetHashCode(StringComparison.Ordinal),
                    transports => transports == null ? null : transports.ToArray()));
        });
    }
}
