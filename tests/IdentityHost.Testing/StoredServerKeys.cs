using System.Security.Cryptography;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.Testing;

/// <summary>
/// Reads the keys a server manages straight from its database, and unprotects a signing key with that server's
/// Data Protection key ring: what an attacker could do only with the database and the key ring both.
/// </summary>
public static class StoredServerKeys
{
    public static async Task<IReadOnlyList<ServerKey>> ReadAsync(IdentityServerHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await using var scope = host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
        return await database.ServerKeys.AsNoTracking().OrderBy(key => key.Generation).ToListAsync();
    }

    /// <summary>The private signing key of <paramref name="row"/>, with its kid.</summary>
    public static AsymmetricSecurityKey Unprotect(IdentityServerHost host, ServerKey row)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(row);
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(ServerKey.ProtectionPurpose);
        var material = protector.Unprotect(Convert.FromBase64String(row.ProtectedKey));
        AsymmetricSecurityKey key;
        if (row.Algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(material, out _);
            key = new ECDsaSecurityKey(ecdsa);
        }
        else
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(material, out _);
            key = new RsaSecurityKey(rsa);
        }

        key.KeyId = row.Id;
        return key;
    }

    /// <summary>The signing key that signed <paramref name="kid"/>'s tokens, read from the database.</summary>
    public static async Task<(ServerKey Row, AsymmetricSecurityKey Key)> FindSigningKeyAsync(IdentityServerHost host, string kid)
    {
        var row = (await ReadAsync(host)).Single(key => key.Use == ServerKey.SigningUse && key.Id == kid);
        return (row, Unprotect(host, row));
    }
}
