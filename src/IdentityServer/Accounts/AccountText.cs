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
    public static string NormalizeUserName(string? userName) =>
        (userName ?? string.Empty).Trim().Normalize(NormalizationForm.FormKC);

    /// <summary>
    /// NFKC-normalizes a password (NIST SP 800-63B-4 §3.1.1.2), so the same password typed on different
    /// keyboards hashes the same. It is not trimmed: spaces are characters of the password.
    /// </summary>
    public static string NormalizePassword(string? password) =>
        (password ?? string.Empty).Normalize(NormalizationForm.FormKC);

    /// <summary>Length in Unicode scalar values (what a person counts as characters), not UTF-16 units.</summary>
    public static int Length(string text) => text.EnumerateRunes().Count();

    /// <summary>True for the characters a user name may contain: letters, digits and <c>. _ - @</c>.</summary>
    public static bool IsAllowedUserNameRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || rune.Value is '.' or '_' or '-' or '@' ||
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
