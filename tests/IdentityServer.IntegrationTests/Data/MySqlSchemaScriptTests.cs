using System.Net;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using MySql.Data.MySqlClient;

namespace IdentityHost.IdentityServer.IntegrationTests.Data;

/// <summary><c>scripts/mysql-schema.sql</c>, the DBA's path: it matches the migrations and really works.</summary>
public sealed class MySqlSchemaScriptTests(MariaDbServer mariaDb)
{
    /// <summary>Set to 1 to rewrite the checked-in script from the migrations (scripts/update-mysql-schema.sh).</summary>
    public const string UpdateVariable = "IDENTITYHOST_UPDATE_SCHEMA";

    private static readonly string ScriptPath = RepositoryPaths.Combine("scripts", "mysql-schema.sql");

    private static readonly long MigrationCount = typeof(MySqlDesignTimeFactory).Assembly.GetTypes().Count(type =>
        type.Namespace == "IdentityHost.IdentityServer.Data.Migrations.MySql" &&
        type.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)));

    [Fact]
    public void SchemaScriptMatchesMigrations()
    {
        var generated = MySqlSchemaScript.Generate();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(ScriptPath, generated);
        }

        Assert.True(File.Exists(ScriptPath), $"{ScriptPath} is missing; run scripts/update-mysql-schema.sh.");
        var checkedIn = File.ReadAllText(ScriptPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(generated == checkedIn,
            "scripts/mysql-schema.sql is out of date with the MySQL migrations; run scripts/update-mysql-schema.sh.");
    }

    [Fact]
    public async Task SchemaScriptBuildsADatabaseTheServerRunsOn()
    {
        Assert.SkipWhen(mariaDb.UnavailableReason is not null, mariaDb.UnavailableReason ?? string.Empty);
        var connectionString = await mariaDb.CreateDatabaseAsync("identityhost_script");
        try
        {
            // Note: twice, because a DBA re-running the script on an up-to-date database must be harmless.
            await ApplyScriptAsync(connectionString);
            await ApplyScriptAsync(connectionString);

            await using (var host = CreateHost(connectionString, migrateOnStartup: false))
            {
                using var client = host.CreateClient();
                var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
                var token = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
                Assert.False(token.IsError, token.Raw);
            }

            // Note: the migrator must see the script's history rows and find nothing to do.
            await using (var host = CreateHost(connectionString, migrateOnStartup: true))
            {
                using var client = host.CreateClient();
                using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            Assert.Equal(MigrationCount, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM `__EFMigrationsHistory`;"));
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM `AspNetUsers`;"));
        }
        finally
        {
            await mariaDb.DropDatabaseAsync(connectionString);
        }
    }

    private static IdentityServerHost CreateHost(string connectionString, bool migrateOnStartup) =>
        new(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "MySql",
            ["Database:MigrateOnStartup"] = migrateOnStartup.ToString(),
            ["ConnectionStrings:IdentityHost"] = connectionString,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });

    private static async Task ApplyScriptAsync(string connectionString)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var script = new MySqlScript(connection, await File.ReadAllTextAsync(ScriptPath, TestContext.Current.CancellationToken));
        await script.ExecuteAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
