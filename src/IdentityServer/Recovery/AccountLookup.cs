using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>Finds the accounts a "username or email" names: the user of that name, else every user with that address.</summary>
internal static class AccountLookup
{
    /// <summary>At most this many accounts share one address when addresses need not be unique.</summary>
    private const int MostAccountsPerAddress = 10;

    public static async Task<IReadOnlyList<ApplicationUser>> FindAsync(
        IdentityHostDbContext database, ILookupNormalizer normalizer, string? usernameOrEmail, CancellationToken cancellationToken)
    {
        var name = normalizer.NormalizeName(AccountText.NormalizeUserName(usernameOrEmail));
        if (string.IsNullOrEmpty(name))
        {
            return [];
        }

        var byName = await database.Users.SingleOrDefaultAsync(user => user.NormalizedUserName == name, cancellationToken);
        if (byName is not null)
        {
            return [byName];
        }

        var address = normalizer.NormalizeEmail(usernameOrEmail);
        return address is null || !address.Contains('@', StringComparison.Ordinal)
            ? []
            : await database.Users.Where(user => user.NormalizedEmail == address).OrderBy(user => user.Id)
                .Take(MostAccountsPerAddress).ToListAsync(cancellationToken);
    }

    /// <summary>Whether an administrator disabled the account (a lockout that never ends), as opposed to guesses' lockout.</summary>
    public static bool IsDisabled(ApplicationUser user) =>
        // Note: MySQL keeps DateTimeOffset.MaxValue to the microsecond only, so "never ends" is recognised by its year.
        user.LockoutEnd is { } end && end.UtcDateTime.Year >= 9999;
}
