using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>
/// A single-page app on its own origin (Kestrel at <c>http://localhost:{port}</c>): one HTML page, served at <c>/</c>
/// and at its redirect URI <c>/callback</c>, and one script, <c>Spa/app.js</c>; no inline script (its CSP forbids
/// it). The page names the issuer, client id and redirect URI in data attributes.
/// </summary>
public sealed class SinglePageApp : IAsyncDisposable
{
    public const string ClientId = "spa";

    private readonly WebApplication _app;

    private SinglePageApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri RedirectUri => new(BaseAddress, "callback");

    /// <summary>The origin of the app, for the identity server's registration of its client.</summary>
    public static string RedirectUriAt(int port) => $"http://localhost:{port}/callback";

    public static async Task<SinglePageApp> StartAsync(int port, Uri issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var baseAddress = new Uri($"http://localhost:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(baseAddress.ToString());
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var directory = Path.Combine(AppContext.BaseDirectory, "Spa");
        var page = (await File.ReadAllTextAsync(Path.Combine(directory, "index.html")))
            .Replace("{{issuer}}", WebUtility.HtmlEncode(issuer.ToString()), StringComparison.Ordinal)
            .Replace("{{clientId}}", ClientId, StringComparison.Ordinal)
            .Replace("{{redirectUri}}", WebUtility.HtmlEncode(RedirectUriAt(port)), StringComparison.Ordinal);
        var script = await File.ReadAllTextAsync(Path.Combine(directory, "app.js"));
        // Note: scripts from this origin only (no inline script); fetch to the identity server only.
        var policy = $"default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src {issuer.GetLeftPart(UriPartial.Authority)}";

        IResult Page(HttpContext context)
        {
            context.Response.Headers.ContentSecurityPolicy = policy;
            return Results.Content(page, "text/html; charset=utf-8");
        }

        app.MapGet("/", Page);
        app.MapGet("/callback", Page);
        app.MapGet("/app.js", () => Results.Text(script, "text/javascript; charset=utf-8"));
        await app.StartAsync();
        return new SinglePageApp(app, baseAddress);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
