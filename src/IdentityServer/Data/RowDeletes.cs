using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Deleting rows by a condition on both providers. Note: Oracle's MySQL provider writes EF Core's ExecuteDelete as
/// <c>DELETE FROM t AS alias WHERE …</c>, which MariaDB (and MySQL before 8.0.16) refuses; on MySQL the rows are read and
/// removed instead, and a statement that must be one atomic condition (a token used once) is written as plain SQL.
/// </summary>
public static class RowDeletes
{
    /// <summary>Deletes the rows of <paramref name="query"/>; returns how many.</summary>
    public static async Task<int> DeleteRowsAsync<T>(this IQueryable<T> query, DbContext database, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Database.IsSqlite())
        {
            return await query.ExecuteDeleteAsync(cancellationToken);
        }

        var rows = await query.ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }

        database.RemoveRange(rows);
        await database.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }

    /// <summary>
    /// <c>DELETE FROM <paramref name="table"/> WHERE</c> every column of <paramref name="equals"/> has its value, as one
    /// statement (so of two racing callers only one deletes the row); returns how many rows it deleted. Table and column
    /// names are the code's own, never input; the values are parameters.
    /// </summary>
    public static Task<int> DeleteWhereEqualAsync(
        this DbContext database, string table, IReadOnlyList<(string Column, object Value)> equals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(equals);
        var quote = database.Database.IsSqlite() ? '"' : '`';
        var conditions = equals.Select((pair, index) => $"{quote}{pair.Column}{quote} = {{{index}}}");
        var sql = $"DELETE FROM {quote}{table}{quote} WHERE {string.Join(" AND ", conditions)}";
        return database.Database.ExecuteSqlRawAsync(sql, equals.Select(pair => pair.Value), cancellationToken);
    }
}
