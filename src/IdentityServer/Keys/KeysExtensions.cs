using IdentityHost.IdentityServer.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>Registers the token signing and encryption keys.</summary>
public static class KeysExtensions
{
    private static readonly string[] SupportedAlgorithms = ["RS256", "ES256"];

    /// <summary>
    /// Binds <c>OpenIddict:Keys</c> and hands the keys to OpenIddict: configured PEM/PFX files where set, else keys
    /// the server creates, stores in the database (protected by Data Protection) and rotates itself. Keeps ASP.NET
    /// Core Data Protection's key ring in the database too, so every node reads what another protected.
    /// </summary>
    public static IHostApplicationBuilder AddServerKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyOptions>()
            .BindConfiguration(KeyOptions.SectionName)
            .Validate(keys => SupportedAlgorithms.Contains(keys.SigningAlgorithm, StringComparer.Ordinal),
                "OpenIddict:Keys:SigningAlgorithm must be RS256 or ES256.")
            .Validate(keys => keys.RefreshInterval > TimeSpan.Zero, "OpenIddict:Keys:RefreshInterval must be positive.")
            .Validate(keys => keys.PropagationTime > keys.RefreshInterval,
                "OpenIddict:Keys:PropagationTime must be longer than OpenIddict:Keys:RefreshInterval, so every node " +
                "has read a new key before it signs.")
            .Validate(keys => keys.RotationInterval > keys.PropagationTime,
                "OpenIddict:Keys:RotationInterval must be longer than OpenIddict:Keys:PropagationTime.")
            .ValidateOnStart();

        builder.Services.AddSingleton<KeyRingManager>();
        builder.Services.AddSingleton<KeyRingOptionsSetup>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(
            services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>>(
            services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddDatabaseSeeder<KeyRingSeeder>();

        // Note: one key ring in the database for every node, so data one node protects another can read.
        // The XML is stored as is: protect the database (and its backups) like the rest of its contents.
        builder.Services.AddDataProtection()
            .SetApplicationName("IdentityHost")
            .PersistKeysToDbContext<IdentityHostDbContext>();
        return builder;
    }

    /// <summary>
    /// Brings the managed keys up to date before OpenIddict handles a request: a clock comparison per request,
    /// and a database read once per <c>OpenIddict:Keys:RefreshInterval</c> or when a key activates or expires.
    /// Must run before authentication, which is where OpenIddict reads its options.
    /// </summary>
    public static IApplicationBuilder UseServerKeys(this IApplicationBuilder app)
    {
        // Note: resolved per request (a singleton lookup) rather than here, so that invalid key settings surface
        // from start-up validation, with their message, not from building the pipeline.
        return app.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<KeyRingManager>().EnsureFreshAsync(context.RequestAborted);
            await next(context);
        });
    }
}
