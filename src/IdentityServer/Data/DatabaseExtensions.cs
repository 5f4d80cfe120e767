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
        builder.Services.AddSingleton<CausalReads>();
        builder.Services.AddDbContextPool<MySqlIdentityHostDbContext>((services, options) =>
            options.UseIdentityHostMySql(GetConnectionString(services) ?? string.Empty)
                .AddInterceptors(services.GetRequiredService<CausalReads>()));
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

    /// <summary>
    /// Configures the MySQL provider. Note: this is the one place that names the provider package
    /// (Oracle's MySql.EntityFrameworkCore); moving to Pomelo once it supports EF Core 10 changes only this line
    /// (and drops the MariaDB lock workaround, which Pomelo does not need).
    /// </summary>
    /// <remarks>
    /// Note: the driver's own timeouts stay (connect 15 s, command 30 s). MySql.Data runs its start-up commands on a
    /// new connection under the connect timeout, and when one expires it sends KILL QUERY and then waits for good
    /// for an answer the server never sends: a request hung that way, its connections marked Killed, on a loaded
    /// test machine with a 5 s connect timeout (and before that with a 15 s command timeout). A stopped database
    /// refuses connections at once, so the timeouts matter only for an unreachable host.
    /// A write conflict (a deadlock, a cluster's certification conflict) is retried by <see cref="WriteConflictRetry"/>.
    /// </remarks>
    public static DbContextOptionsBuilder UseIdentityHostMySql(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseMySQL(connectionString, mySql => mySql.ExecutionStrategy(dependencies => new WriteConflictRetry(dependencies)))
            .AddInterceptors(MariaDbMigrationLockInterceptor.Instance);

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
