using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>Registers the token signing and encryption keys.</summary>
public static class KeysExtensions
{
    private static readonly string[] SupportedAlgorithms = ["RS256", "ES256"];

    /// <summary>
    /// Binds <c>OpenIddict:Keys</c> and hands the keys to OpenIddict: configured PEM/PFX files where set, else keys the
    /// server creates, stores in the database (protected by Data Protection, see
    /// <see cref="DataProtectionExtensions.AddSharedDataProtection"/>) and rotates itself, re-reading them in the
    /// background (<see cref="KeyRingRefresher"/>).
    /// </summary>
    public static IHostApplicationBuilder AddServerKeys(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
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
        builder.Services.TryAddSingleton<IdentityHostMetrics>();
        builder.Services.AddSingleton<KeyRingOptionsSetup>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(
            services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>>(
            services => services.GetRequiredService<KeyRingOptionsSetup>());
        builder.Services.AddDatabaseSeeder<KeyRingSeeder>();
        builder.Services.AddHostedService<KeyRingRefresher>();
        return builder;
    }
}
