using System.Globalization;
using System.Security.Cryptography;
using IdentityHost.IdentityServer.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The tokens in mail links (email verification, password reset). Each is 32 random bytes after the user's id; only its
/// SHA-256 is stored, in one row per user and purpose (an Identity user token), with its expiry and the address it was sent
/// to. So a token works for one user and one purpose, once (using it deletes the row, and of two racing uses only one
/// deletes it), until it expires, and only while it is the newest: a new request replaces the row and older links stop
/// working. Note: Identity's DataProtectorTokenProvider was not used: its tokens stay valid until they expire unless the
/// security stamp changes, and changing the stamp on every request would sign the user out everywhere.
/// </summary>
public sealed class AccountTokens(IdentityHostDbContext database, TimeProvider clock)
{
    /// <summary>Verifies an address (the account's, or the new one it is changing to).</summary>
    public const string EmailVerification = "email_verification";

    /// <summary>Sets a new password.</summary>
    public const string PasswordReset = "password_reset";

    private const string Provider = "IdentityHost";

    /// <summary>
    /// Writes a new token of <paramref name="purpose"/> for <paramref name="userId"/>, bound to <paramref name="address"/>,
    /// into the context (the caller saves it, in its transaction), replacing any older one; null when the account has had
    /// <paramref name="perHour"/> tokens of this purpose within the hour already.
    /// </summary>
    public async Task<string?> IssueAsync(
        string userId, string purpose, string address, TimeSpan lifetime, int perHour, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var row = await database.UserTokens
            .SingleOrDefaultAsync(token => token.UserId == userId && token.LoginProvider == Provider && token.Name == purpose, cancellationToken);
        var previous = row is null ? null : Stored.Parse(row.Value);
        var windowStart = previous is not null && now - previous.WindowStart < TimeSpan.FromHours(1) ? previous.WindowStart : now;
        var count = windowStart == now ? 1 : previous!.Count + 1;
        if (count > perHour)
        {
            return null;
        }

        var secret = RandomNumberGenerator.GetBytes(32);
        var value = new Stored(Hash(secret), now + lifetime, windowStart, count, address).ToString();
        if (row is null)
        {
            database.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = Provider, Name = purpose, Value = value });
        }
        else
        {
            row.Value = value;
        }

        var bytes = new byte[48];
        Guid.Parse(userId).TryWriteBytes(bytes);
        secret.CopyTo(bytes, 16);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    /// <summary>
    /// What <paramref name="token"/> grants, if it is the newest unexpired token of <paramref name="purpose"/>: its user and
    /// the address it was sent to; null for anything else (malformed, another purpose, replaced, used, expired).
    /// </summary>
    public async Task<AccountToken?> ReadAsync(string? token, string purpose, CancellationToken cancellationToken)
    {
        if (token is null || token.Length != 64)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length != 48)
        {
            return null;
        }

        var userId = new Guid(bytes.AsSpan(0, 16)).ToString();
        var value = await database.UserTokens.AsNoTracking()
            .Where(row => row.UserId == userId && row.LoginProvider == Provider && row.Name == purpose)
            .Select(row => row.Value)
            .FirstOrDefaultAsync(cancellationToken);
        var stored = value is null ? null : Stored.Parse(value);
        if (stored is null || !CryptographicOperations.FixedTimeEquals(stored.Hash, Hash(bytes.AsSpan(16))) ||
            clock.GetUtcNow() >= stored.ExpiresAt)
        {
            return null;
        }

        return new AccountToken(userId, purpose, stored.Address, value!);
    }

    /// <summary>Uses up <paramref name="token"/>: true for the one caller that deleted its row, false if it was used meanwhile.</summary>
    public async Task<bool> ConsumeAsync(AccountToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return await database.DeleteWhereEqualAsync("AspNetUserTokens",
            [("UserId", token.UserId), ("LoginProvider", Provider), ("Name", token.Purpose), ("Value", token.StoredValue)],
            cancellationToken) == 1;
    }

    /// <summary>The address the newest token of <paramref name="purpose"/> was sent to (even if it expired), or null.</summary>
    public async Task<string?> AddressOfAsync(string userId, string purpose, CancellationToken cancellationToken)
    {
        var value = await database.UserTokens.AsNoTracking()
            .Where(row => row.UserId == userId && row.LoginProvider == Provider && row.Name == purpose)
            .Select(row => row.Value)
            .FirstOrDefaultAsync(cancellationToken);
        return Stored.Parse(value)?.Address;
    }

    private static byte[] Hash(ReadOnlySpan<byte> secret) => SHA256.HashData(secret);

    /// <summary>The stored form: "v1 hash expires window-start count address".</summary>
    private sealed record Stored(byte[] Hash, DateTimeOffset ExpiresAt, DateTimeOffset WindowStart, int Count, string Address)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"v1 {WebEncoders.Base64UrlEncode(Hash)} {ExpiresAt.ToUnixTimeMilliseconds()} {WindowStart.ToUnixTimeMilliseconds()} {Count} {Address}");

        public static Stored? Parse(string? value)
        {
            var parts = value?.Split(' ', 6);
            if (parts is not { Length: 6 } || parts[0] != "v1" ||
                !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var expires) ||
                !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var window) ||
                !int.TryParse(parts[4], CultureInfo.InvariantCulture, out var count))
            {
                return null;
            }

            return new Stored(WebEncoders.Base64UrlDecode(parts[1]), DateTimeOffset.FromUnixTimeMilliseconds(expires),
                DateTimeOffset.FromUnixTimeMilliseconds(window), count, parts[5]);
        }
    }

    internal static string Describe(TimeSpan lifetime) => lifetime.TotalHours >= 1 && lifetime.TotalHours == Math.Floor(lifetime.TotalHours)
        ? string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalHours:0} hour{(lifetime.TotalHours == 1 ? string.Empty : "s")}")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(lifetime.TotalMinutes):0} minutes");
}

/// <summary>A valid mail-link token: whose it is, what for, the address it was sent to.</summary>
public sealed record AccountToken(string UserId, string Purpose, string Address, string StoredValue);
