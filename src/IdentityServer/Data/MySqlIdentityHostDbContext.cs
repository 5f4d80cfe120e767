using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Data;

/// <summary>The MySQL flavour of <see cref="IdentityHostDbContext"/>; its migrations live in Data/Migrations/MySql.</summary>
public sealed class MySqlIdentityHostDbContext(DbContextOptions<MySqlIdentityHostDbContext> options)
    : IdentityHostDbContext(options);
