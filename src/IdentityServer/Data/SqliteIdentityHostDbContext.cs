using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Data;

/// <summary>The SQLite flavour of <see cref="IdentityHostDbContext"/>; its migrations live in Data/Migrations/Sqlite.</summary>
public sealed class SqliteIdentityHostDbContext(DbContextOptions<SqliteIdentityHostDbContext> options)
    : IdentityHostDbContext(options);
