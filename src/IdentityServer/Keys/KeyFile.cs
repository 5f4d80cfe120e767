using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>Reads configured keys from PEM and PFX files.</summary>
internal static class KeyFile
{
    /// <summary>Loads an asymmetric private key; the file type is chosen by its extension (.pfx/.p12, else PEM).</summary>
    public static AsymmetricSecurityKey Load(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The key file '{path}' does not exist.", path);
        }

        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) ||
            extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"The certificate in '{path}' has no private key.");
            }

            return WithKeyId(new X509SecurityKey(certificate));
        }

        var pem = File.ReadAllText(path);
        return WithKeyId(pem.Contains("EC PRIVATE KEY", StringComparison.Ordinal) || IsEcPkcs8(pem, password)
            ? new ECDsaSecurityKey(ImportEc(pem, password))
            : new RsaSecurityKey(ImportRsa(pem, password)));
    }

    private static RSA ImportRsa(string pem, string? password)
    {
        var rsa = RSA.Create();
        if (string.IsNullOrEmpty(password))
        {
            rsa.ImportFromPem(pem);
        }
        else
        {
            rsa.ImportFromEncryptedPem(pem, password);
        }

        return rsa;
    }

    private static ECDsa ImportEc(string pem, string? password)
    {
        var ec = ECDsa.Create();
        if (string.IsNullOrEmpty(password))
        {
            ec.ImportFromPem(pem);
        }
        else
        {
            ec.ImportFromEncryptedPem(pem, password);
        }

        return ec;
    }

    private static bool IsEcPkcs8(string pem, string? password)
    {
        try
        {
            using var ec = ImportEc(pem, password);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static AsymmetricSecurityKey WithKeyId(AsymmetricSecurityKey key)
    {
        // Note: a stable kid derived from the public key (RFC 7638 thumbprint), so every node and every
        // restart announces the same identifier for the same key.
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }
}
