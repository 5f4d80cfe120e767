using System.Text;
using IdentityHost.IdentityServer.Mfa;

namespace IdentityHost.IdentityServer.UnitTests.Mfa;

/// <summary>The authenticator codes against RFC 6238's own test vectors (SHA-1; the last six of its eight digits).</summary>
public sealed class TotpTests
{
    private static readonly string RfcKey = Totp.ToBase32(Encoding.ASCII.GetBytes("12345678901234567890"));

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void CodesMatchRfc6238TestVectors(long unixSeconds, string code) =>
        Assert.Equal(code, Totp.Compute(RfcKey, Totp.TimeStep(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))));

    [Fact]
    public void AMatchNamesTheStepWithinOneStepOfDriftAndNothingFurther()
    {
        var key = Totp.NewKey();

        Assert.Equal(99, Totp.Match(key, Totp.Compute(key, 99), 100));
        Assert.Equal(101, Totp.Match(key, Totp.Compute(key, 101), 100));
        Assert.Null(Totp.Match(key, Totp.Compute(key, 98), 100));
        Assert.Null(Totp.Match(key, Totp.Compute(key, 102), 100));
    }

    [Fact]
    public void KeysAre160RandomBitsInBase32ThatRoundTrip()
    {
        var key = Totp.NewKey();

        Assert.Equal(32, key.Length);
        Assert.Equal(20, Totp.FromBase32(key).Length);
        Assert.Equal(key, Totp.ToBase32(Totp.FromBase32(Totp.Grouped(key).ToLowerInvariant())));
        Assert.NotEqual(key, Totp.NewKey());
    }

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData(" 123 456 ", "123456")]
    [InlineData("123-456", "123456")]
    [InlineData("12345", null)]
    [InlineData("1234567", null)]
    [InlineData("12345a", null)]
    [InlineData(null, null)]
    public void CodesAreReadAsTyped(string? typed, string? code) => Assert.Equal(code, Totp.Normalize(typed));

    [Fact]
    public void TheUriCarriesIssuerAccountAndKey() =>
        Assert.Equal("otpauth://totp/Identity%20Host:alice%40example?secret=ABC&issuer=Identity%20Host&algorithm=SHA1&digits=6&period=30",
            Totp.Uri("Identity Host", "alice@example", "ABC"));
}
