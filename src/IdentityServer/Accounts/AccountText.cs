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
