using System.Globalization;
using System.Text;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The one place user names and passwords are normalized, so registration, the token endpoint and the
/// seed login always compare the same strings.
/// </summary>
internal static class AccountText
{
    /// <summary>Trims and NFKC-normalizes a user name; null becomes empty.</summary>
    public static string NormalizeUserName(string? userName) => NormalizeOrKeep((userName ?? string.Empty).Trim());

    /// <summary>
    /// NFKC-normalizes a password (NIST SP 800-63B-4 §3.1.1.2), so the same password typed on different
    /// keyboards hashes the same. It is not trimmed: spaces are characters of the password.
    /// </summary>
    public static string NormalizePassword(string? password) => NormalizeOrKeep(password ?? string.Empty);

    /// <summary>Longest email address accepted (RFC 5321's path limit less the angle brackets).</summary>
    public const int EmailMaxLength = 254;

    /// <summary>
    /// An email address as it is stored and shown: trimmed, the local part NFKC-normalized, the domain in its ASCII
    /// (IDNA) form and lower case, so <c>Bob@Bücher.Example</c> and <c>Bob@xn--bcher-kva.example</c> are one address. Null for
    /// empty input; the input as it is when it cannot be read as an address (<see cref="EmailError"/> then refuses it).
    /// </summary>
    public static string? NormalizeEmail(string? email)
    {
        var trimmed = NormalizeOrKeep((email ?? string.Empty).Trim());
        if (trimmed.Length == 0)
        {
            return null;
        }

        var at = trimmed.LastIndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1)
        {
            return trimmed;
        }

        try
        {
            return trimmed[..at] + "@" + new IdnMapping().GetAscii(trimmed[(at + 1)..]).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return trimmed;
        }
    }

    /// <summary>What is wrong with <paramref name="email"/> (already normalized), or null when it is an address we can mail.</summary>
    public static string? EmailError(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (email.Length > EmailMaxLength)
        {
            return $"The email address must be at most {EmailMaxLength} characters long.";
        }

        var at = email.LastIndexOf('@');
        var valid = at is > 0 and <= 64 && at < email.Length - 1 && email.IndexOf('@', StringComparison.Ordinal) == at &&
            !email.Any(character => char.IsWhiteSpace(character) || char.IsControl(character) || character is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '"' or '[' or ']' or '\\') &&
            email[(at + 1)..].Split('.').All(label => label.Length is > 0 and <= 63 && label.All(character => char.IsAsciiLetterOrDigit(character) || character == '-')) &&
            !email.StartsWith('.') && !email[..at].EndsWith('.') && !email.Contains("..", StringComparison.Ordinal) &&
            System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;
        return valid ? null : "The email address is not valid.";
    }

    /// <summary>True when the text can be NFKC-normalized, which .NET refuses for lone surrogates and U+FFFE.</summary>
    public static bool IsNormalizable(string text)
    {
        try
        {
            _ = text.Normalize(NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Length in Unicode scalar values (what a person counts as characters), not UTF-16 units.</summary>
    public static int Length(string text) => text.EnumerateRunes().Count();

    /// <summary>True for the characters a user name may contain: letters, digits and <c>. _ - @</c>.</summary>
    public static bool IsAllowedUserNameRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || rune.Value is '.' or '_' or '-' or '@' ||
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>
    /// NFKC-normalizes, or keeps text that cannot be normalized as it is. Note: <see cref="string.Normalize(NormalizationForm)"/>
    /// throws on lone surrogates and U+FFFE, which any client can send (the fuzz tests found it as a 500); such text
    /// never matches a stored name or password, since the validators refuse it at registration.
    /// </summary>
    private static string NormalizeOrKeep(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }
}
