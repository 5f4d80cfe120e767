using Microsoft.AspNetCore.DataProtection;

namespace IdentityHost.IdentityServer.Data;

/// <summary>ASP.NET Core Data Protection, with its key ring in the database.</summary>
public static class DataProtectionExtensions
{
    /// <summary>
    /// Keeps Data Protection's key ring in <see cref="IdentityHostDbContext.DataProtectionKeys"/>, so data one node
    /// protects (session cookies, antiforgery tokens, the server's own keys) every other node on the database can read.
    /// </summary>
    /// <remarks>Note: the key ring's XML is stored as is: protect the database (and its backups) like the rest of it.</remarks>
    public static IHostApplicationBuilder AddSharedDataProtection(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDataProtection()
            .SetApplicationName("IdentityHost")
            .PersistKeysToDbContext<IdentityHostDbContext>();
        return builder;
    }
}
