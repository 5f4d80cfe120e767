using IdentityHost.IdentityServer.Sessions;

namespace IdentityHost.IdentityServer.UnitTests.Sessions;

/// <summary>The device descriptions the account page shows for a User-Agent.</summary>
public sealed class UserAgentsTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS")]
    [InlineData("PostmanRuntime/7.39.0", "Postman")]
    [InlineData("curl/8.5.0", "curl")]
    [InlineData("MyApp/2.1 (build 7)", "MyApp")]
    [InlineData("", "Unknown device")]
    [InlineData(null, "Unknown device")]
    public void DescribeNamesTheBrowserAndSystem(string? userAgent, string description)
    {
        Assert.Equal(description, UserAgents.Describe(userAgent));
    }
}
