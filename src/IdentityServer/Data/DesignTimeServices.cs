using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Data;

/// <summary>
/// What a context made without the server (<c>dotnet ef</c>) needs to build the server's model. Note: Identity reads its
/// schema version from <c>IdentityOptions.Stores.SchemaVersion</c> in the application's services, and without them falls
/// back to version 1, which has no passkeys table; the server sets version 3 (AccountsExtensions).
/// </summary>
public static class DesignTimeServices
{
    /// <summary>Services holding the Identity options of the server's schema (version 3, with <c>AspNetUserPasskeys</c>).</summary>
    public static readonly IServiceProvider Identity = new ServiceCollection()
        .AddOptions()
        .Configure<IdentityOptions>(options => ConfigureIdentitySchema(options.Stores))
        .BuildServiceProvider();

    /// <summary>
    /// The Identity schema of this server, for the server's options and <c>dotnet ef</c> alike: version 3 (passkeys), with
    /// key columns as long as version 1 made them (255), so moving to version 3 adds the passkeys table and changes no
    /// existing column (version 3 would shorten the login and token keys to 128).
    /// </summary>
    public static void ConfigureIdentitySchema(StoreOptions stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        stores.SchemaVersion = IdentitySchemaVersions.Version3;
        stores.MaxLengthForKeys = 255;
    }
}
