using System.Text;
using IdentityHost.IdentityServer.Accounts;

namespace IdentityHost.IdentityServer.UnitTests.Accounts;

/// <summary>How user names and passwords are normalized before they are compared, hashed or counted.</summary>
public sealed class AccountTextTests
{
    [Theory]
    [InlineData("  alice  ", "alice")]
    [InlineData("\talice\n", "alice")]
    [InlineData("ａｌｉｃｅ", "alice")] // fullwidth: NFKC
    [InlineData("Jose\u0301", "Jos\u00E9")] // e and a combining acute: one composed é
    [InlineData(null, "")]
    public void NormalizeUserNameTrimsAndAppliesNfkc(string? userName, string normalized)
    {
        Assert.Equal(normalized, AccountText.NormalizeUserName(userName));
    }

    [Theory]
    [InlineData(" pass word ", " pass word ")] // spaces are characters of a password
    [InlineData("ｐａｓｓ", "pass")]
    [InlineData("cafe\u0301", "caf\u00E9")]
    [InlineData(null, "")]
    public void NormalizePasswordAppliesNfkcWithoutTrimming(string? password, string normalized)
    {
        Assert.Equal(normalized, AccountText.NormalizePassword(password));
    }

    // Note: lone surrogates are built here, not given as theory data: xunit serializes theory data as UTF-8,
    // which turns a lone surrogate into U+FFFD, a normal character, and the test would check nothing.
    private static readonly string[] Unnormalizable = ["alice\uFFFE", "alice" + (char)0xD800, (char)0xDC00 + "alice"];

    [Fact]
    public void NormalizingKeepsTextThatCannotBeNormalized()
    {
        foreach (var text in Unnormalizable)
        {
            Assert.Equal(text, AccountText.NormalizePassword(text));
            Assert.Equal(text, AccountText.NormalizeUserName(text));
        }
    }

    [Fact]
    public void IsNormalizableRefusesNoncharacterFffeAndLoneSurrogates()
    {
        Assert.All(Unnormalizable, text => Assert.False(AccountText.IsNormalizable(text), $"U+{(int)text[^1]:X4} / U+{(int)text[0]:X4}"));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("\U0001F600")] // a surrogate pair
    [InlineData("")]
    public void IsNormalizableAcceptsWellFormedText(string text)
    {
        Assert.True(AccountText.IsNormalizable(text));
    }

    [Theory]
    [InlineData("abc", 3)]
    [InlineData("\U0001F600\U0001F600", 2)] // four UTF-16 units
    [InlineData("e\u0301", 2)] // scalar values, not what a font draws as one
    [InlineData("", 0)]
    public void LengthCountsUnicodeScalarValues(string text, int length)
    {
        Assert.Equal(length, AccountText.Length(text));
    }

    [Theory]
    [InlineData('a', true)]
    [InlineData('7', true)]
    [InlineData('.', true)]
    [InlineData('_', true)]
    [InlineData('-', true)]
    [InlineData('@', true)]
    [InlineData('ß', true)]
    [InlineData('\u0301', true)] // a combining mark
    [InlineData(' ', false)]
    [InlineData('/', false)]
    [InlineData('<', false)]
    [InlineData('\u200B', false)] // zero-width space
    public void UserNamesAllowLettersDigitsMarksAndDotUnderscoreDashAt(char character, bool allowed)
    {
        Assert.Equal(allowed, AccountText.IsAllowedUserNameRune(new Rune(character)));
    }
}
