using IdentityHost.IdentityServer.Accounts;

namespace IdentityHost.IdentityServer.UnitTests.Accounts;

/// <summary>How email addresses are normalized for storage and comparison, and which are refused.</summary>
public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("  bob@example.com ", "bob@example.com")]
    [InlineData("Bob@EXAMPLE.com", "Bob@example.com")] // the local part keeps its case for display; comparison ignores it
    [InlineData("bob@Bücher.Example", "bob@xn--bcher-kva.example")]
    [InlineData("ｂｏｂ@example.com", "bob@example.com")] // fullwidth local part: NFKC
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void NormalizeEmailTrimsAppliesNfkcAndWritesTheDomainInAscii(string? email, string? normalized)
    {
        Assert.Equal(normalized, AccountText.NormalizeEmail(email));
    }

    [Fact]
    public void TwoSpellingsOfOneAddressCompareEqual()
    {
        var normalizer = new LookupNormalizer();

        Assert.Equal(normalizer.NormalizeEmail("Bob@Bücher.Example"), normalizer.NormalizeEmail("bob@XN--BCHER-KVA.example"));
        Assert.NotEqual(normalizer.NormalizeEmail("bob@example.com"), normalizer.NormalizeEmail("bob2@example.com"));
    }

    [Theory]
    [InlineData("bob@example.com")]
    [InlineData("first.last+tag@sub.example.co.uk")]
    [InlineData("o'brien@example.com")]
    [InlineData("user@localhost")]
    public void EmailErrorAcceptsOrdinaryAddresses(string email)
    {
        Assert.Null(AccountText.EmailError(AccountText.NormalizeEmail(email)!));
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("@example.com")]
    [InlineData("bob@")]
    [InlineData("two@@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("space in@example.com")]
    [InlineData("bob@exa mple.com")]
    [InlineData("bob@example.com.")]
    [InlineData(".bob@example.com")]
    [InlineData("bob.@example.com")]
    [InlineData("bo..b@example.com")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("Bob <bob@example.com>")]
    [InlineData("bob@[127.0.0.1]")]
    [InlineData("bob@under_score.example")]
    public void EmailErrorRefusesWhatIsNotAPlainAddress(string email)
    {
        Assert.NotNull(AccountText.EmailError(AccountText.NormalizeEmail(email)!));
    }

    [Fact]
    public void EmailErrorRefusesAnOverlongAddressOrLocalPart()
    {
        Assert.NotNull(AccountText.EmailError(new string('a', 65) + "@example.com"));
        Assert.NotNull(AccountText.EmailError("bob@" + string.Join('.', Enumerable.Repeat(new string('d', 60), 5)) + ".com"));
    }

    [Theory]
    [InlineData("bob@example.com", "b***@example.com")]
    [InlineData("x@example.com", "x***@example.com")]
    public void MaskHidesTheLocalPart(string address, string masked)
    {
        Assert.Equal(masked, AccountEmails.Mask(address));
    }
}
