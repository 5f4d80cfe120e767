using IdentityHost.IdentityServer.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The network addresses a user last signed in from successfully (at most <see cref="Limit"/>, newest first),
/// kept as one of Identity's user tokens. While wrong guesses hold an account locked, its owner can still sign in
/// from one of these addresses, so an attacker elsewhere cannot lock a victim out by typing wrong passwords.
/// </summary>
public sealed class KnownAddresses(IdentityHostDbContext database, IHttpContextAccessor http)
{
    /// <summary>How many addresses are remembered per user.</summary>
    public const int Limit = 5;

    private const string Provider = "IdentityHost";
    private const string Name = "known_addresses";

    /// <summary>Whether the current request comes from an address <paramref name="userId"/> signed in from before.</summary>
    public async Task<bool> IsCurrentKnownAsync(string userId, CancellationToken cancellationToken)
    {
        var address = Current();
        return address is not null && (await ReadAsync(userId, cancellationToken)).Contains(address);
    }

    /// <summary>Remembers the current request's address for <paramref name="userId"/> after a successful sign-in.</summary>
    public async Task RememberCurrentAsync(string userId, CancellationToken cancellationToken)
    {
        var address = Current();
        if (address is null)
        {
            return;
        }

        var known = await ReadAsync(userId, cancellationToken);
        if (known.Count > 0 && known[0] == address)
        {
            return;
        }

        var value = string.Join(' ', known.Where(item => item != address).Prepend(address).Take(Limit));
        var updated = await database.UserTokens
            .Where(token => token.UserId == userId && token.LoginProvider == Provider && token.Name == Name)
            .ExecuteUpdateAsync(set => set.SetProperty(token => token.Value, value), cancellationToken);
        if (updated > 0)
        {
            return;
        }

        try
        {
            database.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = Provider, Name = Name, Value = value });
            await database.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseFailures.IsLostRace(exception))
        {
            // Note: a parallel sign-in of the same user inserted the row first; its list is as good as this one. Only a
            // duplicate key means that: a timeout or a broken connection is an outage, and goes up as one.
            database.ChangeTracker.Clear();
        }
    }

    private async Task<List<string>> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var value = await database.UserTokens.AsNoTracking()
            .Where(token => token.UserId == userId && token.LoginProvider == Provider && token.Name == Name)
            .Select(token => token.Value)
            .FirstOrDefaultAsync(cancellationToken);
        return value?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList() ?? [];
    }

    private string? Current() => http.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
