using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using IdentityHost.Samples.WebClient.ResourceApi;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentityHost.Samples.WebClient.Pages;

/// <summary>The sample's three pages: home (who is signed in), the API call, and sign-in / sign-out.</summary>
public static class WebClientPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>Maps <c>/</c>, <c>/signin</c>, <c>/call-api</c> and <c>POST /signout</c>.</summary>
    public static WebApplication MapWebClientPages(this WebApplication app)
    {
        app.MapGet("/", (HttpContext context, IAntiforgery antiforgery) => Page("Home", HomeBody(context, antiforgery)));
        app.MapGet("/signin", () => TypedResults.Challenge(new AuthenticationProperties { RedirectUri = "/" }));
        app.MapGet("/call-api", CallApiAsync).RequireAuthorization();
        app.MapPost("/signout", () => TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
            .RequireAuthorization()
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }

    private static async Task<IResult> CallApiAsync(HttpContext context, ResourceApiClient api)
    {
        // Note: an access token lives 15 minutes; past that, sign in again, which IdentityHost's session answers
        // without a password prompt. (A longer-lived app would use its refresh token instead.)
        var token = await context.GetTokenAsync("access_token");
        var expiresAt = DateTimeOffset.TryParse(await context.GetTokenAsync("expires_at"), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var expires) ? expires : DateTimeOffset.MinValue;
        if (token is null || expiresAt <= TimeProvider.System.GetUtcNow().AddSeconds(30))
        {
            return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = "/call-api" });
        }

        var (status, body) = await api.GetProtectedAsync(token, context.RequestAborted);
        return Page("API call", $"""
            <h1>SampleResourceApi said</h1>
            <p>Status: <strong id="api-status">{status}</strong></p>
            <pre id="api-body">{Html.Encode(body)}</pre>
            <p><a href="/">Back</a></p>
            """);
    }

    private static string HomeBody(HttpContext context, IAntiforgery antiforgery)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return """
                <h1>IdentityHost sample web client</h1>
                <p>You are not signed in.</p>
                <p><a id="sign-in" href="/signin">Sign in with IdentityHost</a></p>
                """;
        }

        var roles = new StringBuilder();
        foreach (var role in user.FindAll("role"))
        {
            roles.Append("<li>").Append(Html.Encode(role.Value)).Append("</li>");
        }

        // Note: how IdentityHost signed the user in, from the ID token (RFC 8176 amr: pwd, otp, hwk, swk, mfa).
        var methods = string.Join(' ', user.FindAll("amr").Select(claim => claim.Value).Order(StringComparer.Ordinal));
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"""
            <h1>IdentityHost sample web client</h1>
            <p>Signed in as <strong id="user-name">{Html.Encode(user.Identity.Name ?? "(no name)")}</strong>.</p>
            <p>Roles:</p>
            <ul id="roles">{roles}</ul>
            <p>Signed in with: <code id="amr">{Html.Encode(methods)}</code></p>
            <p><a id="call-api" href="/call-api">Call the SampleResourceApi</a></p>
            <form method="post" action="/signout">
                <input type="hidden" name="{Html.Encode(tokens.FormFieldName)}" value="{Html.Encode(tokens.RequestToken ?? string.Empty)}" />
                <button type="submit" id="sign-out">Sign out</button>
            </form>
            """;
    }

    private static ContentHttpResult Page(string title, string body) => TypedResults.Content($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{{Html.Encode(title)}} · Sample web client</title>
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
        pre{background:#f4f5f7;padding:.75rem;white-space:pre-wrap} button{padding:.5rem 1rem}</style>
        </head>
        <body>{{body}}</body>
        </html>
        """, "text/html; charset=utf-8");
}
