using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityHost.IdentityServer.Data;

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the server.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteIdentityHostDbContext>
{
    public SqliteIdentityHostDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteIdentityHostDbContext>()
            .UseApplicationServiceProvider(DesignTimeServices.Identity);
        options.UseIdentityHostSqlite(DatabaseExtensions.DefaultSqliteConnectionString);
        return new(options.Options);
    }
}
