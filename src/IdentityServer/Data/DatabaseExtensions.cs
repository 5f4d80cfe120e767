using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Data;

/// <summary>Registers the EF Core context for the configured database provider.</summary>
public static class DatabaseExtensions
{
    /// <summary>The SQLite connection string used when none is configured.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=identityhost.db";

    /// <summary>
    /// Adds <see cref="IdentityHostDbContext"/> for the provider named by <c>Database:Provider</c>, the
    /// start-up database initializer, and the seeders registered with <see cref="AddDatabaseSeeder{TSeeder}"/>.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityHostDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .Validate<IConfiguration>(
                (options, configuration) => options.Provider != DatabaseProvider.MySql ||
                    !string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)),
                $"ConnectionStrings:{DatabaseOptions.ConnectionStringName} is required when Database:Provider is MySql.")
            .ValidateOnStart();

        // Note: both contexts are registered, and the provider is chosen when the base type is resolved,
        // so configuration is read lazily (after every source, test overrides included, is in place). Contexts are
        // pooled: their options (connection string parsing, the provider's services) are built once, not on every
        // request, and each request leases a context that EF Core resets when it is returned.
        builder.Services.AddDbContextPool<SqliteIdentityHostDbContext>((services, options) =>
            options.UseIdentityHostSqlite(
                GetConnectionString(services) ?? DefaultSqliteConnectionString,
                services.GetRequiredService<IHostEnvironment>().ContentRootPath));
        builder.Services.AddDbContextPool<MySqlIdentityHostDbContext>((services, options) =>
            options.UseIdentityHostMySql(GetConnectionString(services) ?? string.Empty));
        builder.Services.AddScoped<IdentityHostDbContext>(services =>
            services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider switch
            {
                DatabaseProvider.MySql => services.GetRequiredService<MySqlIdentityHostDbContext>(),
                _ => services.GetRequiredService<SqliteIdentityHostDbContext>(),
            });

        builder.Services.AddHostedService<DatabaseInitializer>();
        return builder;
    }

    /// <summary>Adds a seeder that <see cref="DatabaseInitializer"/> runs, in registration order, after migrations.</summary>
    public static IServiceCollection AddDatabaseSeeder<TSeeder>(this IServiceCollection services)
        where TSeeder : class, IDatabaseSeeder
    {
        services.AddScoped<IDatabaseSeeder, TSeeder>();
        return services;
    }

    /// <summary>Seconds to wait for a MySQL connection, unless the connection string says otherwise.</summary>
    public const int DefaultMySqlConnectTimeout = 5;

    /// <summary>
    /// Configures the MySQL provider. Note: this is the one place that names the provider package
    /// (Oracle's MySql.EntityFrameworkCore); moving to Pomelo once it supports EF Core 10 changes only this line
    /// (and drops the MariaDB lock workaround, which Pomelo does not need).
    /// </summary>
    public static DbContextOptionsBuilder UseIdentityHostMySql(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseMySQL(WithFailFastTimeouts(connectionString)).AddInterceptors(MariaDbMigrationLockInterceptor.Instance);

    /// <summary>
    /// Shortens the driver's connect timeout (15 s) to <see cref="DefaultMySqlConnectTimeout"/>, unless the
    /// connection string sets one. Note: a request waits on it when the database host is unreachable (a stopped
    /// server refuses at once); a client that waits longer than a few seconds for a sign-in has given up anyway,
    /// and the 503 tells it to retry. The command timeout stays the driver's 30 s (<c>Default Command Timeout</c>):
    /// with 15 s, a test run on a heavily loaded machine hung for good, its connections marked Killed by the
    /// server after MySql.Data's timeout (KILL QUERY), so an expired command must stay a rare last resort.
    /// </summary>
    internal static string WithFailFastTimeouts(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (HasAnyKey(given, "Connect Timeout", "Connection Timeout", "ConnectionTimeout"))
        {
            return connectionString;
        }

        return new MySql.Data.MySqlClient.MySqlConnectionStringBuilder(connectionString)
        {
            ConnectionTimeout = DefaultMySqlConnectTimeout,
        }.ConnectionString;
    }

    private static bool HasAnyKey(System.Data.Common.DbConnectionStringBuilder builder, params string[] keys) =>
        keys.Any(builder.ContainsKey);

    /// <summary>
    /// Configures SQLite with a generous busy timeout. Note: together with WAL mode (set by the initializer)
    /// this is what keeps parallel logins and registrations from failing with "database is locked".
    /// A relative file name is resolved against <paramref name="contentRoot"/>, like the key directory, so
    /// the database does not move with the directory the server is started from.
    /// </summary>
    public static DbContextOptionsBuilder UseIdentityHostSqlite(
        this DbContextOptionsBuilder options, string connectionString, string? contentRoot = null)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (contentRoot is not null && builder.DataSource is { Length: > 0 } file && file != ":memory:" &&
            builder.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(file))
        {
            builder.DataSource = Path.Combine(contentRoot, file);
        }

        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }

        return options.UseSqlite(builder.ToString());
    }

    private static string? GetConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetConnectionString(DatabaseOptions.ConnectionStringName);
}
