using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// Lets <c>dotnet ef</c> build the MySQL context without a server. Note: the connection string is only
/// used to pick the dialect; migrations and scripts are generated without connecting.
/// </summary>
internal sealed class MySqlDesignTimeFactory : IDesignTimeDbContextFactory<MySqlIdentityHostDbContext>
{
    public MySqlIdentityHostDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<MySqlIdentityHostDbContext>()
            .UseApplicationServiceProvider(DesignTimeServices.Identity);
        options.UseIdentityHostMySql("Server=localhost;Database=identityhost;User=identityhost");
        return new(options.Options);
    }
}
