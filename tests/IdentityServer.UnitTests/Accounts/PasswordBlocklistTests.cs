using System.Globalization;
using IdentityHost.IdentityServer.Accounts;

namespace IdentityHost.IdentityServer.UnitTests.Accounts;

/// <summary>The form the blocklist compares passwords in: NFKC, then lower case in the invariant culture.</summary>
public sealed class PasswordBlocklistTests
{
    [Theory]
    [InlineData("PassWord", "password")]
    [InlineData("ｐａｓｓｗｏｒｄ", "password")] // fullwidth letters
    [InlineData("ＰＡＳＳＷＯＲＤ", "password")] // fullwidth capitals
    [InlineData("ﬁsh", "fish")] // the fi ligature
    [InlineData("Passwort²", "passwort2")] // superscript two
    public void FoldMapsCompatibilityFormsAndCaseToOneForm(string password, string folded)
    {
        Assert.Equal(folded, PasswordBlocklist.Fold(password));
    }

    [Fact]
    public void FoldKeepsSpaces()
    {
        Assert.Equal("  correct horse  ", PasswordBlocklist.Fold("  Correct HORSE  "));
    }

    [Fact]
    public void FoldIgnoresTheCurrentCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // Note: Turkish lower-cases I to dotless ı; the blocklist must not depend on the server's locale.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("tr-TR");

            Assert.Equal("indigo", PasswordBlocklist.Fold("INDIGO"));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
