using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.SignIn;

/// <summary>The HTML error page shows the server's own words for a known code, never text from the query string.</summary>
public sealed class ErrorPageTests(SqliteServerFixture fixture) : ServerTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task ErrorPageShowsAKnownCodeWithItsExplanation()
    {
        var html = await Client.GetStringAsync(new Uri("/error?error=access_denied", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("<code id=\"error-code\">access_denied</code>", html, StringComparison.Ordinal);
        Assert.Contains("Access was not granted.", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/error?error=call_0800_123_456_now&error_description=Your+account+is+blocked.+Call+0800+123+456")]
    [InlineData("/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%3Cb%3Ebold%3C%2Fb%3E")]
    public async Task ErrorPageNeverShowsTextFromTheQueryString(string url)
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<code id=\"error-code\">invalid_request</code>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("0800", html, StringComparison.Ordinal);
        Assert.DoesNotContain("blocked", html, StringComparison.Ordinal);
        Assert.DoesNotContain("script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bold", html, StringComparison.Ordinal);
    }
}
