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

/// <summary>The list as it is read from a file: line by line as bytes, each line in the form above.</summary>
public sealed class PasswordBlocklistFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("blocklist-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("password")]
    [InlineData("PassWord 123!")]
    [InlineData("~`!@#$%^&*()_+-=[]{}|;':\",./<>?")]
    [InlineData("ｐａｓｓｗｏｒｄ")]
    [InlineData("ﬁsh")]
    [InlineData("Passwort²")]
    [InlineData("İstanbul")]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("e\u0301te\u0301")]
    public void ALineIsFingerprintedAsItsFoldedForm(string line)
    {
        Assert.Equal(
            PasswordBlocklist.Fingerprint(PasswordBlocklist.Fold(line)),
            PasswordBlocklist.Fingerprint(System.Text.Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void LinesEndAtLfCrOrCrLfAfterAByteOrderMark()
    {
        var blocklist = Read("\uFEFFfirst one\r\nSecond One\rthird\n\n\r\nÉté\nlast without end"u8.ToArray());

        Assert.Equal(5, blocklist.Count);
        foreach (var listed in new[] { "first one", "second one", "THIRD", "été", "ÉTÉ", "Last Without End" })
        {
            Assert.True(blocklist.Contains(listed), listed);
        }

        Assert.False(blocklist.Contains("\uFEFFfirst one"));
        Assert.False(blocklist.Contains(""));
    }

    [Fact]
    public void ALineLongerThanTheReadBufferIsReadWhole()
    {
        var longLine = new string('x', 200_000) + "Y";
        var blocklist = Read(System.Text.Encoding.UTF8.GetBytes("short\n" + longLine + "\nafter\n"));

        Assert.Equal(3, blocklist.Count);
        Assert.True(blocklist.Contains(longLine.ToUpperInvariant()));
        Assert.True(blocklist.Contains("after"));
    }

    private PasswordBlocklist Read(byte[] content)
    {
        var path = Path.Combine(_directory, "list.txt");
        File.WriteAllBytes(path, content);
        return new PasswordBlocklist(
            Microsoft.Extensions.Options.Options.Create(new AccountOptions { PasswordBlocklistPath = path }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _directory },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PasswordBlocklist>.Instance);
    }
}
