using System.Net;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Admin;

/// <summary>What the console's tests do as a browser would: sign in on the server's page, open a page of the console.</summary>
internal static class ConsoleSessions
{
    /// <summary>A browser session of <paramref name="userName"/>, signed in on <paramref name="host"/>'s sign-in page.</summary>
    public static async Task<BrowserSession> SignedInAsync(IdentityServerHost host, string userName, string password)
    {
        var browser = new BrowserSession(host);
        using var signedIn = await browser.SignInAsync(userName, password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    /// <summary>The HTML of <paramref name="page"/>, which must answer 200.</summary>
    public static async Task<string> GetPageAsync(BrowserSession browser, string page)
    {
        using var response = await browser.Client.GetAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode} {html}");
        return html;
    }
}
