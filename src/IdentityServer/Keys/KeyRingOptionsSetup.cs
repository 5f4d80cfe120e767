using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// Hands OpenIddict its keys: configured files where set, else the managed ones from <see cref="KeyRingManager"/>.
/// Note: OpenIddict reads keys from its options (signing, JWKS, discovery, validation of its own tokens), so when
/// the ring changes this setup's change token makes both the server's and the local validation's options be
/// rebuilt, instead of handing OpenIddict a list that changes under its feet.
/// </summary>
internal sealed class KeyRingOptionsSetup(KeyRingManager manager, IOptions<KeyOptions> keyOptions, IHostEnvironment environment)
    : IConfigureOptions<OpenIddictServerOptions>,
      IOptionsChangeTokenSource<OpenIddictServerOptions>,
      IOptionsChangeTokenSource<OpenIddictValidationOptions>
{
    private readonly Lazy<SigningCredentials?> _configuredSigning = new(() => LoadSigning(keyOptions.Value, environment));
    private readonly Lazy<EncryptingCredentials?> _configuredEncryption = new(() => LoadEncryption(keyOptions.Value, environment));

    public string? Name => Options.DefaultName;

    IChangeToken IOptionsChangeTokenSource<OpenIddictServerOptions>.GetChangeToken() => manager.GetServerOptionsChangeToken();

    IChangeToken IOptionsChangeTokenSource<OpenIddictValidationOptions>.GetChangeToken() => manager.GetValidationOptionsChangeToken();

    public void Configure(OpenIddictServerOptions options)
    {
        var ring = manager.Current;

        // Note: OpenIddict signs with the first signing key (it sorts only certificates, keeping the order of
        // plain RSA/EC keys), so the ring lists the active key first.
        if (_configuredSigning.Value is { } signing)
        {
            options.SigningCredentials.Add(signing);
        }
        else
        {
            options.SigningCredentials.AddRange(ring.SigningCredentials);
        }

        if (_configuredEncryption.Value is { } encryption)
        {
            options.EncryptionCredentials.Add(encryption);
        }
        else
        {
            options.EncryptionCredentials.AddRange(ring.EncryptionCredentials);
        }
    }

    private static SigningCredentials? LoadSigning(KeyOptions keys, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(keys.SigningKeyPath))
        {
            return null;
        }

        var key = KeyFile.Load(Path.Combine(environment.ContentRootPath, keys.SigningKeyPath), keys.SigningKeyPassword);
        return new SigningCredentials(key, key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256);
    }

    private static EncryptingCredentials? LoadEncryption(KeyOptions keys, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(keys.EncryptionKeyPath))
        {
            return null;
        }

        var key = KeyFile.Load(Path.Combine(environment.ContentRootPath, keys.EncryptionKeyPath), keys.EncryptionKeyPassword);
        return new EncryptingCredentials(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512);
    }
}
