using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>
/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 6 digits, 30-second steps, the defaults every
/// authenticator app understands; keys are 160 random bits (RFC 4226 section 4) written in Base32 (RFC 4648).
/// </summary>
public static class Totp
{
    /// <summary>The length of a code.</summary>
    public const int Digits = 6;

    /// <summary>The seconds of one time step.</summary>
    public const int StepSeconds = 30;

    /// <summary>Steps of clock drift accepted either way.</summary>
    public const int Drift = 1;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>A new random key, Base32.</summary>
    public static string NewKey() => ToBase32(RandomNumberGenerator.GetBytes(20));

    /// <summary>The time step <paramref name="time"/> falls in.</summary>
    public static long TimeStep(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code of <paramref name="base32Key"/> for <paramref name="timeStep"/>.</summary>
    public static string Compute(string base32Key, long timeStep)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, timeStep);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // Note: HMAC-SHA1 is RFC 6238's default and the only algorithm all authenticator apps support; HMAC (unlike a bare
        // SHA-1 digest) is not weakened by SHA-1's collisions.
#pragma warning disable CA5350
        HMACSHA1.HashData(FromBase32(base32Key), counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff;
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The time step within <see cref="Drift"/> of <paramref name="currentStep"/> whose code <paramref name="code"/> is,
    /// or null. Note: every candidate is computed and compared in constant time, whichever matches.
    /// </summary>
    public static long? Match(string base32Key, string code, long currentStep)
    {
        var given = Encoding.ASCII.GetBytes(code);
        long? matched = null;
        for (var step = currentStep - Drift; step <= currentStep + Drift; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(base32Key, step)), given) && matched is null)
            {
                matched = step;
            }
        }

        return matched;
    }

    /// <summary>A code as typed (spaces, dashes) reduced to its digits, or null when it cannot be a code.</summary>
    public static string? Normalize(string? code)
    {
        var digits = new string((code ?? string.Empty).Where(character => character is not (' ' or '-')).ToArray());
        return digits.Length == Digits && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>The <c>otpauth://</c> URI an authenticator app reads from the QR code.</summary>
    public static string Uri(string issuer, string account, string base32Key)
    {
        var label = System.Uri.EscapeDataString(issuer) + ":" + System.Uri.EscapeDataString(account);
        return $"otpauth://totp/{label}?secret={base32Key}&issuer={System.Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
    }

    /// <summary>The key in groups of four, as people type it.</summary>
    public static string Grouped(string base32Key) =>
        string.Join(' ', Enumerable.Range(0, (base32Key.Length + 3) / 4).Select(index => base32Key.Substring(index * 4, Math.Min(4, base32Key.Length - (index * 4)))));

    public static string ToBase32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var value in bytes)
        {
            buffer = (buffer << 8) | value;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    public static byte[] FromBase32(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var character in text.ToUpperInvariant())
        {
            if (character is ' ' or '=')
            {
                continue;
            }

            var value = Alphabet.IndexOf(character, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException("The key is not Base32.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
