using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Users;

/// <summary>
/// Finds users for administrators: by the prefix of the user name or of the email address, one page at a time, with a
/// cursor instead of page numbers. Every query is a range of one index (<c>UserNameIndex</c> on
/// <c>NormalizedUserName</c>, <c>EmailIndex</c> on <c>NormalizedEmail</c>) read in its order, so a page costs the same
/// with a thousand users as with a million: no full scan, no sort of the matches, and no count of them (docs/admin.md
/// shows the plans).
/// </summary>
/// <remarks>
/// A search lists the users whose name starts with the text, in name order, then those whose address starts with it
/// (and whose name does not), in address order. Without a search text it lists every user in name order.
/// </remarks>
public sealed class UserDirectory(IdentityHostDbContext database, ILookupNormalizer normalizer, TimeProvider clock)
{
    /// <summary>The largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 25;

    /// <summary>The longest search text (a user name or an address is at most 256 characters).</summary>
    public const int MaxSearchLength = 256;

    // Note: in SQLite the highest code point, whose UTF-8 bytes sort after every other character's under the BINARY
    // collation; a prefix range [p, p + this) holds exactly the values that start with p.
    private const string SqliteRangeEnd = "\U0010FFFF";

    /// <summary>
    /// The page of users after <paramref name="cursor"/> (null: the first) whose name or address starts with
    /// <paramref name="search"/> (case-insensitive; null or blank: every user); null when the cursor is not one this
    /// search gave.
    /// </summary>
    public async Task<UserPage?> SearchAsync(string? search, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var prefix = normalizer.NormalizeName(search?.Trim()) ?? string.Empty;
        var position = Cursor.Read(cursor);
        if (cursor is not null && (position is null || position.Prefix != prefix))
        {
            return null;
        }

        // Note: each row remembers which list it came from; the database's collation, not .NET, decided it matched.
        var found = new List<(ApplicationUser User, string Phase)>(pageSize + 1);
        if (position is null || position.Phase == Cursor.ByName)
        {
            found.AddRange((await ByName(prefix, position?.Key).Take(pageSize + 1).ToListAsync(cancellationToken))
                .Select(user => (user, Cursor.ByName)));
        }

        // Note: the address matches come after the last name match, so they are read only once names run out.
        if (prefix.Length > 0 && found.Count <= pageSize)
        {
            var after = position is { Phase: Cursor.ByEmail } ? position : null;
            found.AddRange((await ByEmail(prefix, after?.Key, after?.Id).Take(pageSize + 1 - found.Count).ToListAsync(cancellationToken))
                .Select(user => (user, Cursor.ByEmail)));
        }

        var page = found.Take(pageSize).Select(row => row.User).ToList();
        string? next = null;
        if (found.Count > pageSize)
        {
            var (last, phase) = found[pageSize - 1];
            next = Cursor.Write(phase == Cursor.ByName
                ? new Cursor(prefix, Cursor.ByName, last.NormalizedUserName!, null)
                : new Cursor(prefix, Cursor.ByEmail, last.NormalizedEmail!, last.Id));
        }

        var roles = await RolesAsync([.. page.Select(user => user.Id)], cancellationToken);
        var now = clock.GetUtcNow();
        return new UserPage(
            [.. page.Select(user => UserSummary.For(user, roles.TryGetValue(user.Id, out var own) ? own : [], now))],
            next);
    }

    /// <summary>The roles of each of <paramref name="userIds"/>, in one query.</summary>
    public async Task<Dictionary<string, IReadOnlyList<string>>> RolesAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return [];
        }

        var rows = await database.UserRoles.AsNoTracking()
            .Where(link => userIds.Contains(link.UserId))
            .Join(database.Roles, link => link.RoleId, role => role.Id, (link, role) => new { link.UserId, role.Name })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(row => row.UserId, StringComparer.Ordinal).ToDictionary(
            group => group.Key,
            group => (IReadOnlyList<string>)[.. group.Select(row => row.Name!).Order(StringComparer.Ordinal)],
            StringComparer.Ordinal);
    }

    /// <summary>The users whose normalized name starts with <paramref name="prefix"/> and comes after <paramref name="after"/>, in name order.</summary>
    internal IQueryable<ApplicationUser> ByName(string prefix, string? after)
    {
        var users = database.Users.AsNoTracking();
        if (database.Database.IsSqlite())
        {
            // Note: SQLite's LIKE ignores case, so it cannot use an index of the BINARY collation and would scan the
            // table; the prefix is written out as a range, whose lower end is the cursor's key once there is one (SQLite
            // bounds an index range by one lower and one upper term).
            var end = prefix + SqliteRangeEnd;
            users = after is null
                ? users.Where(user => user.NormalizedUserName!.CompareTo(prefix) >= 0)
                : users.Where(user => user.NormalizedUserName!.CompareTo(after) > 0);
            if (prefix.Length > 0)
            {
                users = users.Where(user => user.NormalizedUserName!.CompareTo(end) < 0);
            }
        }
        else
        {
            // Note: MariaDB reads LIKE 'PREFIX%' as a range of the index and intersects it with the cursor's.
            if (prefix.Length > 0)
            {
                var pattern = LikePattern(prefix);
                users = users.Where(user => EF.Functions.Like(user.NormalizedUserName!, pattern, LikeEscape));
            }

            if (after is not null)
            {
                users = users.Where(user => user.NormalizedUserName!.CompareTo(after) > 0);
            }
        }

        return users.OrderBy(user => user.NormalizedUserName);
    }

    /// <summary>
    /// The users whose normalized address starts with <paramref name="prefix"/> (and whose name does not), after the
    /// position (<paramref name="after"/>, <paramref name="afterId"/>), in address then id order (addresses repeat when
    /// they need not be unique).
    /// </summary>
    internal IQueryable<ApplicationUser> ByEmail(string prefix, string? after, string? afterId)
    {
        var users = database.Users.AsNoTracking();
        if (database.Database.IsSqlite())
        {
            var end = prefix + SqliteRangeEnd;
            users = users.Where(user => user.NormalizedEmail!.CompareTo(after ?? prefix) >= 0 && user.NormalizedEmail!.CompareTo(end) < 0 &&
                                        (user.NormalizedUserName!.CompareTo(prefix) < 0 || user.NormalizedUserName!.CompareTo(end) >= 0));
        }
        else
        {
            var pattern = LikePattern(prefix);
            users = users.Where(user => EF.Functions.Like(user.NormalizedEmail!, pattern, LikeEscape) &&
                                        !EF.Functions.Like(user.NormalizedUserName!, pattern, LikeEscape));
            if (after is not null)
            {
                users = users.Where(user => user.NormalizedEmail!.CompareTo(after) >= 0);
            }
        }

        if (after is not null)
        {
            // Note: the range starts at the cursor's address; this skips the rows of it the last page showed.
            users = users.Where(user => user.NormalizedEmail!.CompareTo(after) > 0 || user.Id.CompareTo(afterId) > 0);
        }

        return users.OrderBy(user => user.NormalizedEmail).ThenBy(user => user.Id);
    }

    /// <summary>
    /// <paramref name="prefix"/>, its wildcards escaped, then <c>%</c>. Note: written out rather than StartsWith, which
    /// Oracle's provider turns into LIKE CONCAT(prefix, '%') with the prefix unescaped, so a search for "%" would match
    /// every row and read the whole index. Under the column's collation (utf8mb4_unicode_ci) the match also ignores
    /// accents, as MariaDB's own comparisons of these columns do.
    /// </summary>
    private static string LikePattern(string prefix) =>
        prefix.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal) + "%";

    // Note: not a backslash, which MySQL reads as an escape inside the ESCAPE clause's own string literal.
    private const string LikeEscape = "!";

    /// <summary>Where a page ended: the search it belongs to, which of the two lists, and the last row's key (and id).</summary>
    private sealed record Cursor(string Prefix, string Phase, string Key, string? Id)
    {
        public const string ByName = "n";
        public const string ByEmail = "e";

        public static string Write(Cursor cursor) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(cursor));

        public static Cursor? Read(string? text)
        {
            if (string.IsNullOrEmpty(text) || text.Length > 2_048)
            {
                return null;
            }

            try
            {
                var cursor = JsonSerializer.Deserialize<Cursor>(Base64Url.DecodeFromChars(text));
                return cursor is { Prefix: not null, Key: not null, Phase: ByName or ByEmail } &&
                       (cursor.Phase == ByName || cursor.Id is not null)
                    ? cursor
                    : null;
            }
            catch (Exception exception) when (exception is FormatException or JsonException or ArgumentException or DecoderFallbackException)
            {
                return null;
            }
        }
    }
}
