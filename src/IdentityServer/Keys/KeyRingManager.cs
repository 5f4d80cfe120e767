using System.Security.Cryptography;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.IdentityServer.Keys;

/// <summary>
/// Creates, rotates and removes the server's own keys in the database (following <see cref="KeySchedule"/>) and
/// keeps the current <see cref="KeyRing"/> in memory. Every node runs one; they agree through the database: the
/// unique (use, generation) index lets exactly one node create each new key, and each node re-reads the table
/// every <see cref="KeyOptions.RefreshInterval"/>, well within the time a new key is announced before it signs.
/// </summary>
internal sealed class KeyRingManager : IDisposable
{
    private const int RsaKeySize = 2048;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    private readonly IServiceScopeFactory _scopes;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _clock;
    private readonly ILogger<KeyRingManager> _logger;
    private readonly IdentityHostMetrics _metrics;
    private readonly KeyOptions _options;
    private readonly KeySchedulePolicy _policy;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SecurityKey> _loaded = new(StringComparer.Ordinal);
    private volatile KeyRing? _ring;
    private volatile CancellationTokenSource _serverOptionsChanged = new();
    private volatile CancellationTokenSource _validationOptionsChanged = new();

    public KeyRingManager(
        IServiceScopeFactory scopes,
        IDataProtectionProvider dataProtection,
        IOptions<KeyOptions> keyOptions,
        TimeProvider clock,
        ILogger<KeyRingManager> logger,
        IdentityHostMetrics metrics)
    {
        _metrics = metrics;
        _scopes = scopes;
        _protector = dataProtection.CreateProtector(ServerKey.ProtectionPurpose);
        _clock = clock;
        _logger = logger;
        _options = keyOptions.Value;

        // Note: a retired key stays published until the longest-lived token it can have signed has expired (the token
        // server sets KeyOptions.SignedTokenLifetime), plus five minutes for clocks that disagree.
        _policy = new KeySchedulePolicy(_options.SigningAlgorithm, _options.RotationInterval, _options.PropagationTime,
            _options.SignedTokenLifetime + TimeSpan.FromMinutes(5));
    }

    /// <summary>Whether the server creates and rotates its signing keys (no signing key file is configured).</summary>
    public bool ManagesSigning => string.IsNullOrWhiteSpace(_options.SigningKeyPath);

    /// <summary>Whether the server creates its encryption key (no encryption key file is configured).</summary>
    public bool ManagesEncryption => string.IsNullOrWhiteSpace(_options.EncryptionKeyPath);

    /// <summary>The current keys. Note: loaded at start-up by <see cref="KeyRingSeeder"/>, before any request.</summary>
    public KeyRing Current => _ring ?? throw new InvalidOperationException(
        "The server's keys are not loaded yet: they are read from the database at start-up, after migrations.");

    /// <summary>Fires when <see cref="Current"/> changes, so OpenIddict's server rebuilds its options with the new keys.</summary>
    public IChangeToken GetServerOptionsChangeToken() => new CancellationChangeToken(_serverOptionsChanged.Token);

    /// <summary>
    /// Fires right after <see cref="GetServerOptionsChangeToken"/>, so the local validation, which copies the
    /// server's keys when its options are built, rebuilds from the server's new options.
    /// </summary>
    public IChangeToken GetValidationOptionsChangeToken() => new CancellationChangeToken(_validationOptionsChanged.Token);

    /// <summary>
    /// Rebuilds the ring when it is due (once per refresh interval, or when the schedule changes); cheap otherwise: one
    /// clock read. <see cref="KeyRingRefresher"/> calls it in the background, so requests never wait for it. If the
    /// database cannot be read, the current keys stay in use and the refresh is retried 30 seconds later.
    /// </summary>
    public async ValueTask EnsureFreshAsync(CancellationToken cancellationToken)
    {
        var ring = _ring;
        if (ring is not null && _clock.GetUtcNow() < ring.RefreshAt)
        {
            return;
        }

        try
        {
            await RefreshAsync(cancellationToken, waitForOtherRefresh: ring is null);
        }
        catch (Exception exception) when (ring is not null && exception is not OperationCanceledException)
        {
            // Note: whatever failed (the database away, a key that cannot be read), the keys in use stay in use.
            _logger.LogWarning(exception, "Could not refresh the server keys from the database; keeping the current ones");
            _ring = _ring! with { RefreshAt = _clock.GetUtcNow() + RetryDelay };
        }
    }

    /// <summary>Reads the keys, creates the ones the schedule calls for, removes expired ones, and swaps the ring.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken, bool waitForOtherRefresh = true)
    {
        if (!ManagesSigning && !ManagesEncryption)
        {
            Publish(KeyRing.None);
            return;
        }

        if (!await _gate.WaitAsync(waitForOtherRefresh ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, cancellationToken))
        {
            return;
        }

        try
        {
            if (_ring is { } current && _clock.GetUtcNow() < current.RefreshAt)
            {
                return;
            }

            await using var scope = _scopes.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>();
            var now = _clock.GetUtcNow().UtcDateTime;
            var rows = await ReadAsync(database, cancellationToken);

            if (await MaintainAsync(database, rows, now, cancellationToken))
            {
                database.ChangeTracker.Clear();
                rows = await ReadAsync(database, cancellationToken);
            }

            Publish(Build(rows, now));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static async Task<List<ServerKey>> ReadAsync(IdentityHostDbContext database, CancellationToken cancellationToken)
    {
        var rows = await database.ServerKeys.AsNoTracking().ToListAsync(cancellationToken);
        rows.Sort((left, right) => left.Generation.CompareTo(right.Generation));
        return rows;
    }

    /// <summary>Creates and removes keys as the schedule says; true when the table changed.</summary>
    private async Task<bool> MaintainAsync(IdentityHostDbContext database, List<ServerKey> rows, DateTime now, CancellationToken cancellationToken)
    {
        var changed = false;
        if (ManagesSigning)
        {
            var signing = rows.Where(row => row.Use == ServerKey.SigningUse).ToList();
            if (KeySchedule.NextKey(signing, now, _policy) is var (algorithm, activatesAt))
            {
                var generation = signing.Count == 0 ? 1 : signing[^1].Generation + 1;
                changed |= await TryCreateAsync(database, ServerKey.SigningUse, generation, algorithm, now, activatesAt, cancellationToken);
            }

            for (var index = 0; index < signing.Count; index++)
            {
                if (KeySchedule.IsExpired(signing, index, now, _policy.Retention))
                {
                    changed |= await TryRemoveAsync(database, signing[index], cancellationToken);
                }
            }
        }

        if (ManagesEncryption && !rows.Exists(row => row.Use == ServerKey.EncryptionUse))
        {
            changed |= await TryCreateAsync(database, ServerKey.EncryptionUse, 1, SecurityAlgorithms.Aes256KW, now, now, cancellationToken);
        }

        return changed;
    }

    private async Task<bool> TryRemoveAsync(IdentityHostDbContext database, ServerKey key, CancellationToken cancellationToken)
    {
        // Note: Remove + SaveChanges rather than ExecuteDelete, whose MySQL SQL (DELETE ... AS alias) MariaDB rejects.
        database.ServerKeys.Remove(new ServerKey { Id = key.Id, Use = key.Use, Algorithm = key.Algorithm, ProtectedKey = string.Empty });
        try
        {
            await database.SaveChangesAsync(cancellationToken);
            _logger.LogInformation("Removed signing key {KeyId}: every token it signed has expired", key.Id);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Note: another node removed it first.
            database.ChangeTracker.Clear();
        }

        _loaded.Remove(key.Id);
        return true;
    }

    private async Task<bool> TryCreateAsync(
        IdentityHostDbContext database, string use, int generation, string algorithm, DateTime now, DateTime activatesAt,
        CancellationToken cancellationToken)
    {
        var (key, material) = Generate(algorithm);
        try
        {
            database.ServerKeys.Add(new ServerKey
            {
                Id = key.KeyId,
                Use = use,
                Generation = generation,
                Algorithm = algorithm,
                CreatedAt = now,
                ActivatesAt = activatesAt,
                ProtectedKey = Convert.ToBase64String(_protector.Protect(material)),
            });
            await database.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception)
        {
            // Note: usually another node created this generation first (the unique index refused ours), and
            // theirs is used; anything else is a real failure and must not silently stop the rotation.
            database.ChangeTracker.Clear();
            if (!await database.ServerKeys.AnyAsync(row => row.Use == use && row.Generation == generation, cancellationToken))
            {
                _logger.LogError(exception, "Could not store the new {Use} key, generation {Generation}", use, generation);
                throw;
            }

            _logger.LogInformation("Another node created {Use} key generation {Generation} first", use, generation);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }

        _loaded[key.KeyId] = key;
        _metrics.KeyCreated(use);
        _logger.LogInformation("Created {Use} key {KeyId} ({Algorithm}, generation {Generation}), in use from {ActivatesAt:o}",
            use, key.KeyId, algorithm, generation, activatesAt);
        return true;
    }

    private KeyRing Build(List<ServerKey> rows, DateTime now)
    {
        var signing = new List<SigningCredentials>();
        var encryption = new List<EncryptingCredentials>();
        var refreshAt = now + _options.RefreshInterval;

        if (ManagesSigning)
        {
            var ordered = rows.Where(row => row.Use == ServerKey.SigningUse).ToList();
            var live = Enumerable.Range(0, ordered.Count)
                .Where(index => !KeySchedule.IsExpired(ordered, index, now, _policy.Retention))
                .ToList();
            var active = KeySchedule.ActiveIndex(ordered, now);
            foreach (var index in live.OrderBy(index => index == active ? 0 : 1).ThenByDescending(index => index))
            {
                signing.Add(new SigningCredentials(Load(ordered[index]), ordered[index].Algorithm));
            }

            var next = KeySchedule.NextChange(ordered, now, _policy);
            refreshAt = next < refreshAt ? next : refreshAt;
        }

        if (ManagesEncryption)
        {
            foreach (var row in rows.Where(row => row.Use == ServerKey.EncryptionUse).OrderByDescending(row => row.Generation))
            {
                encryption.Add(new EncryptingCredentials(
                    Load(row), SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
            }
        }

        if ((ManagesSigning && signing.Count == 0) || (ManagesEncryption && encryption.Count == 0))
        {
            throw new InvalidOperationException("The server could neither find nor create its keys in the ServerKeys table.");
        }

        var fingerprint = string.Join(',', signing.Select(credentials => credentials.Kid)) + "|" +
            string.Join(',', encryption.Select(credentials => credentials.Key.KeyId));
        return new KeyRing(signing, encryption, new DateTimeOffset(refreshAt, TimeSpan.Zero), fingerprint);
    }

    private SecurityKey Load(ServerKey row)
    {
        if (_loaded.TryGetValue(row.Id, out var cached))
        {
            return cached;
        }

        var material = _protector.Unprotect(Convert.FromBase64String(row.ProtectedKey));
        try
        {
            SecurityKey key = row.Algorithm switch
            {
                SecurityAlgorithms.RsaSha256 => new RsaSecurityKey(ImportRsa(material)),
                SecurityAlgorithms.EcdsaSha256 => new ECDsaSecurityKey(ImportEcdsa(material)),
                SecurityAlgorithms.Aes256KW => new SymmetricSecurityKey(material.ToArray()),
                _ => throw new InvalidOperationException($"Server key {row.Id} has an unknown algorithm '{row.Algorithm}'."),
            };
            key.KeyId = row.Id;
            _loaded[row.Id] = key;
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static (SecurityKey Key, byte[] Material) Generate(string algorithm)
    {
        switch (algorithm)
        {
            case SecurityAlgorithms.RsaSha256:
            {
                var rsa = RSA.Create(RsaKeySize);
                var key = new RsaSecurityKey(rsa);
                key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
                return (key, rsa.ExportPkcs8PrivateKey());
            }

            case SecurityAlgorithms.EcdsaSha256:
            {
                var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var key = new ECDsaSecurityKey(ecdsa);
                key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
                return (key, ecdsa.ExportPkcs8PrivateKey());
            }

            case SecurityAlgorithms.Aes256KW:
            {
                var material = RandomNumberGenerator.GetBytes(32);
                // Note: a random id; a thumbprint of a secret key would be a hash of the secret in every token header.
                return (new SymmetricSecurityKey(material.ToArray()) { KeyId = Guid.NewGuid().ToString("N") }, material);
            }

            default:
                throw new InvalidOperationException($"Unsupported key algorithm '{algorithm}'.");
        }
    }

    private static RSA ImportRsa(byte[] pkcs8)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return rsa;
    }

    private static ECDsa ImportEcdsa(byte[] pkcs8)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return ecdsa;
    }

    private void Publish(KeyRing ring)
    {
        var previous = _ring;
        _ring = ring;
        if (previous is not null && previous.Fingerprint == ring.Fingerprint)
        {
            return;
        }

        // Note: the new token sources are in place before the old ones fire, because listeners re-subscribe from
        // inside the callback; the old ones are not disposed, as a late subscriber may still hold their tokens.
        // The server's options go first: OptionsMonitor rebuilds as soon as it is told, and the validation's
        // options read the server's while they are built; one token for both would let them copy stale keys.
        var server = _serverOptionsChanged;
        var validation = _validationOptionsChanged;
        _serverOptionsChanged = new CancellationTokenSource();
        _validationOptionsChanged = new CancellationTokenSource();
        server.Cancel();
        validation.Cancel();
    }
}
