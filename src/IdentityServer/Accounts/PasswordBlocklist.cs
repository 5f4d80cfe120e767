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
        var fingerprints = new ulong[450_000];
        var count = 0;
        using (var stream = OpenText(path))
        {
            ReadLines(stream, line =>
            {
                if (count == fingerprints.Length)
                {
                    Array.Resize(ref fingerprints, fingerprints.Length * 2);
                }

                fingerprints[count++] = Fingerprint(line);
            });
        }

        // Note: sorted and made distinct in place; the one array kept is the exact size.
        Array.Sort(fingerprints, 0, count);
        var distinct = 0;
        for (var i = 0; i < count; i++)
        {
            if (distinct == 0 || fingerprints[distinct - 1] != fingerprints[i])
            {
                fingerprints[distinct++] = fingerprints[i];
            }
        }

        if (distinct == 0)
        {
            throw new InvalidOperationException(
                $"The password blocklist {path} (Accounts:PasswordBlocklistPath) holds no passwords.");
        }

        logger.LogInformation("Password blocklist loaded: {Count} passwords from {Path} in {Milliseconds} ms",
            distinct, path, (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return fingerprints.AsSpan(0, distinct).ToArray();
    }

    private delegate void LineHandler(ReadOnlySpan<byte> line);

    /// <summary>
    /// Hands each non-empty line of UTF-8 text to <paramref name="handle"/> as bytes, without making a string of it:
    /// lines end at LF, CR or CRLF, as <see cref="StreamReader.ReadLine"/> reads them, and a leading UTF-8 byte order
    /// mark is skipped. Note: CR and LF never occur inside a multi-byte UTF-8 sequence, so splitting bytes is exact.
    /// </summary>
    private static void ReadLines(Stream stream, LineHandler handle)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        var atStart = true;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var start = 0;
            if (atStart && (filled >= 3 || read == 0))
            {
                atStart = false;
                if (buffer.AsSpan(0, filled).StartsWith("\uFEFF"u8))
                {
                    start = 3;
                }
            }

            if (read == 0)
            {
                if (!atStart && filled > start)
                {
                    handle(buffer.AsSpan(start, filled - start));
                }

                return;
            }

            if (atStart)
            {
                continue;
            }

            while (buffer.AsSpan(start, filled - start).IndexOfAny((byte)'\n', (byte)'\r') is var end and >= 0)
            {
                if (end > 0)
                {
                    handle(buffer.AsSpan(start, end));
                }

                start += end + 1;
            }

            var remaining = filled - start;
            if (remaining == buffer.Length)
            {
                // Note: a line longer than the buffer; it grows to hold it.
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            else
            {
                buffer.AsSpan(start, remaining).CopyTo(buffer);
            }

            filled = remaining;
        }
    }

    /// <summary>
    /// Opens the list, one password a line in UTF-8: an npm package (<c>.tgz</c>, its first <c>.txt</c> or
    /// <c>.txt.gz</c> file), a gzip-compressed text file (<c>.gz</c>), or plain UTF-8 text.
    /// </summary>
    private static Stream OpenText(string path)
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
                        return new GZipStream(entry.DataStream, CompressionMode.Decompress);
                    }

                    if (entry.Name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                    {
                        return entry.DataStream;
                    }
                }

                throw new InvalidOperationException(
                    $"The password blocklist archive {path} (Accounts:PasswordBlocklistPath) contains no .txt or .txt.gz file.");
            }

            return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(file, CompressionMode.Decompress)
                : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The fingerprint of one line of the list, as <see cref="Fingerprint(string)"/> of its <see cref="Fold"/>ed form.
    /// Note: an ASCII line is its own NFKC form and lower-cases by A–Z alone, so it is fingerprinted from its bytes;
    /// only other lines are decoded (invalid UTF-8 as U+FFFD, as a <see cref="StreamReader"/> reads it) and folded.
    /// </summary>
    internal static ulong Fingerprint(ReadOnlySpan<byte> line)
    {
        if (!Ascii.IsValid(line))
        {
            return Fingerprint(Fold(Encoding.UTF8.GetString(line)));
        }

        var hash = 14695981039346656037UL;
        foreach (var unit in line)
        {
            var lower = unit is >= (byte)'A' and <= (byte)'Z' ? (byte)(unit | 0x20) : unit;
            hash = (hash ^ lower) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>
    /// FNV-1a over the UTF-16 code units. A collision can only make a good password look listed (odds about
    /// one in 4·10^13 for 437,651 entries); it can never let a listed password through.
    /// </summary>
    internal static ulong Fingerprint(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var unit in text)
        {
            hash = (hash ^ unit) * 1099511628211UL;
        }

        return hash;
    }
}
