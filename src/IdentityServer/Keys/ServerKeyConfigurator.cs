using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// Gives OpenIddict its signing and encryption keys: configured files, or in Development keys generated on
/// first run and kept under <see cref="KeyOptions.DevelopmentKeyDirectory"/>.
/// </summary>
internal sealed class ServerKeyConfigurator(
    IOptions<KeyOptions> keyOptions,
    IHostEnvironment environment) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var keys = keyOptions.Value;
        var directory = Path.Combine(environment.ContentRootPath, keys.DevelopmentKeyDirectory);

        var signingKey = keys.SigningKeyPath is { Length: > 0 } signingPath
            ? KeyFile.Load(Path.Combine(environment.ContentRootPath, signingPath), keys.SigningKeyPassword)
            : KeyFile.LoadOrCreateRsa(Path.Combine(directory, "signing.pem"));
        var encryptionKey = keys.EncryptionKeyPath is { Length: > 0 } encryptionPath
            ? KeyFile.Load(Path.Combine(environment.ContentRootPath, encryptionPath), keys.EncryptionKeyPassword)
            : KeyFile.LoadOrCreateRsa(Path.Combine(directory, "encryption.pem"));

        options.SigningCredentials.Add(new SigningCredentials(signingKey, signingKey is ECDsaSecurityKey
            ? SecurityAlgorithms.EcdsaSha256
            : SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(
            encryptionKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
