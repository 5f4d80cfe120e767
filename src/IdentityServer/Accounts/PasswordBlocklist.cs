using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The common and breached passwords no account may use (NIST SP 800-63B-4 §3.1.1.2, ASVS 5.0 V6.2.4). The list is
/// read once, on first use or by <see cref="PasswordBlocklistLoader"/> at start-up, and kept as a sorted array of
/// 64-bit fingerprints of each password's case-folded NFKC form: about 8 bytes a password instead of a string each.
/// </summary>
public sealed class PasswordBlocklist
{
    /// <summary>The list built into the server, beside it in <c>App_Data</c> (see PasswordBlocklist.targets).</summary>
    public static readonly string BuiltInPath = Path.Combine(AppContext.BaseDirectory, "App_Data", "common-passwords.tgz");

    private readonly Lazy<ulong[]> _fingerprints;

    public PasswordBlocklist(IOptions<AccountOptions> options, IHostEnvironment environment, ILogger<PasswordBlocklist> logger)
    {
        // Note: options are read on first use, not here, so an invalid setting fails start-up's validation with its
        // message rather than the construction of the loader.
        _fingerprints = new Lazy<ulong[]>(
            () => Load(ResolvePath(options.Value.PasswordBlocklistPath, environment.ContentRootPath), logger),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Whether the list has been read already.</summary>
    public bool IsLoaded => _fingerprints.IsValueCreated;

    /// <summary>How many distinct passwords the list holds.</summary>
    public int Count => _fingerprints.Value.Length;

    /// <summary>Whether <paramref name="password"/> is on the list, ignoring case and Unicode compatibility forms.</summary>
    public bool Contains(string password) => Array.BinarySearch(_fingerprints.Value, Fingerprint(Fold(password))) >= 0;

    /// <summary>The list's file: the configured path (relative to the content root), or the built-in list.</summary>
    public static string ResolvePath(string? configured, string contentRoot) =>
        string.IsNullOrWhiteSpace(configured) ? BuiltInPath : Path.GetFullPath(configured, contentRoot);

    /// <summary>The form passwords are compared in: NFKC (as they are hashed), then lower case (invariant culture).</summary>
    public static string Fold(string text) => AccountText.NormalizePassword(text).ToLower(CultureInfo.InvariantCulture);

    private static ulong[] Load(string path, ILogger logger)
    {
        var started = TimeProvider.System.GetTimestamp();
        var fingerprints = new List<ulong>(capacity: 450_000);
        using (var reader = OpenText(path))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    fingerprints.Add(Fingerprint(Fold(line)));
                }
            }
        }

        fingerprints.Sort();
        var distinct = new List<ulong>(fingerprints.Count);
        foreach (var fingerprint in fingerprints)
        {
            if (distinct.Count == 0 || distinct[^1] != fingerprint)
            {
                distinct.Add(fingerprint);
            }
        }

        if (distinct.Count == 0)
        {
            throw new InvalidOperationException(
                $"The password blocklist {path} (Accounts:PasswordBlocklistPath) holds no passwords.");
        }

        logger.LogInformation("Password blocklist loaded: {Count} passwords from {Path} in {Milliseconds} ms",
            distinct.Count, path, (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return [.. distinct];
    }

    /// <summary>
    /// Opens the list as text, one password a line: an npm package (<c>.tgz</c>, its first <c>.txt</c> or
    /// <c>.txt.gz</c> file), a gzip-compressed text file (<c>.gz</c>), or plain UTF-8 text.
    /// </summary>
    private static StreamReader OpenText(string path)
    {
        Stream file = File.OpenRead(path);
        try
        {
            if (path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase))
            {
                var archive = new TarReader(new GZipStream(file, CompressionMode.Decompress));
                while (archive.GetNextEntry() is { } entry)
                {
                    if (entry.DataStream is null)
                    {
                        continue;
                    }

                    if (entry.Name.EndsWith(".txt.gz", StringComparison.OrdinalIgnoreCase))
                    {
                        return new StreamReader(new GZipStream(entry.DataStream, CompressionMode.Decompress), Encoding.UTF8);
                    }

                    if (entry.Name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                    {
                        return new StreamReader(entry.DataStream, Encoding.UTF8);
                    }
                }

                throw new InvalidOperationException(
                    $"The password blocklist archive {path} (Accounts:PasswordBlocklistPath) contains no .txt or .txt.gz file.");
            }

            return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new StreamReader(new GZipStream(file, CompressionMode.Decompress), Encoding.UTF8)
                : new StreamReader(file, Encoding.UTF8);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// FNV-1a over the UTF-16 code units. A collision can only make a good password look listed (odds about
    /// one in 4·10^13 for 437,651 entries); it can never let a listed password through.
    /// </summary>
    private static ulong Fingerprint(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var unit in text)
        {
            hash = (hash ^ unit) * 1099511628211UL;
        }

        return hash;
    }
}
