using IdentityHost.IdentityServer.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>Registers the token signing and encryption keys.</summary>
public static class KeysExtensions
{
    /// <summary>
    /// Binds <c>OpenIddict:Keys</c> and hands the keys to OpenIddict; keeps ASP.NET Core Data Protection's key
    /// ring in the database. Outside Development a missing key path fails start-up with a message that names
    /// the configuration key.
    /// </summary>
    public static IHostApplicationBuilder AddServerKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyOptions>()
            .BindConfiguration(KeyOptions.SectionName)
            .Validate<IHostEnvironment>(
                (keys, environment) => environment.IsDevelopment() || !string.IsNullOrWhiteSpace(keys.SigningKeyPath),
                "OpenIddict:Keys:SigningKeyPath is required outside Development: set it to a PEM or PFX file " +
                "holding the token signing key (generated keys are for Development only).")
            .Validate<IHostEnvironment>(
                (keys, environment) => environment.IsDevelopment() || !string.IsNullOrWhiteSpace(keys.EncryptionKeyPath),
                "OpenIddict:Keys:EncryptionKeyPath is required outside Development: set it to a PEM or PFX file " +
                "holding the RSA key that encrypts refresh tokens.")
            .ValidateOnStart();

        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ServerKeyConfigurator>();

        // Note: one key ring in the database for every node, so data one node protects another can read.
        // The XML is stored as is: protect the database (and its backups) like the rest of its contents.
        builder.Services.AddDataProtection()
            .SetApplicationName("IdentityHost")
            .PersistKeysToDbContext<IdentityHostDbContext>();
        return builder;
    }
}
