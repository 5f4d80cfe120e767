using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityHost.Testing;

/// <summary>
/// What a browser does against the identity server, without the browser: keeps cookies, does not follow
/// redirects (so a test sees each one), and fills in forms with their antiforgery token.
/// </summary>
public sealed partial class BrowserSession : IDisposable
{
    public BrowserSession(IdentityServerHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    public HttpClient Client { get; }

    /// <summary>Signs in on the sign-in page; returns the answer to the form post (302 on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string userName, string password, string? returnUrl = null)
    {
        var page = "/account/login" + (returnUrl is null ? string.Empty : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        return await SubmitAsync(page, new Dictionary<string, string> { ["UserName"] = userName, ["Password"] = password });
    }

    /// <summary>GETs <paramref name="page"/>, then posts its form with <paramref name="fields"/> and the antiforgery token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, IDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        using var form = await Client.GetAsync(new Uri(page, UriKind.Relative));
        var html = await form.Content.ReadAsStringAsync();
        var values = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(html) is { Success: true } match
                ? WebUtility.HtmlDecode(match.Groups[1].Value)
                : throw new InvalidOperationException($"{page} has no antiforgery token ({(int)form.StatusCode}): {html}"),
        };
        foreach (Match hidden in HiddenInput().Matches(html))
        {
            values.TryAdd(WebUtility.HtmlDecode(hidden.Groups[1].Value), WebUtility.HtmlDecode(hidden.Groups[2].Value));
        }

        using var content = new FormUrlEncodedContent(values);
        return await Client.PostAsync(new Uri(page, UriKind.Relative), content);
    }

    /// <summary>An authorization request (response_type=code, PKCE S256 unless overridden).</summary>
    public Task<HttpResponseMessage> AuthorizeAsync(string clientId, string redirectUri, Pkce pkce, string scope,
        IDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(pkce);
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = "state-" + Guid.NewGuid().ToString("N"),
            ["nonce"] = "nonce-" + Guid.NewGuid().ToString("N"),
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }

        return Client.GetAsync(new Uri(QueryHelpers.AddQueryString("/connect/authorize", parameters), UriKind.Relative));
    }

    /// <summary>Where a redirect to this server goes, as a local path and query (absolute Locations made relative).</summary>
    public static string LocalTarget(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect: {(int)response.StatusCode}");
        return !location.IsAbsoluteUri ? location.OriginalString
            : location.Host == IdentityServerFixture.Authority.Host ? location.PathAndQuery
            : throw new InvalidOperationException($"Redirected off this server, to {location}");
    }

    /// <summary>The query parameters of a redirect's Location.</summary>
    public static Dictionary<string, string> QueryOf(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect: {(int)response.StatusCode}");
        var query = location.IsAbsoluteUri ? location.Query : location.OriginalString[Math.Max(0, location.OriginalString.IndexOf('?', StringComparison.Ordinal))..];
        return QueryHelpers.ParseQuery(query).ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<input type=\"hidden\"[^>]*?name=\"([^\"]+)\"[^>]*?value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}
