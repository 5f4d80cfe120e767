using System.Collections.Frozen;
using System.Text.Encodings.Web;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The page a browser gets when a sign-in, consent or sign-out request cannot be answered to the client (an unknown
/// client, a redirect URI it did not register): the user learns what went wrong; nobody is redirected.
/// </summary>
/// <remarks>
/// Note: the page shows only the server's own words: an error code it knows (anything else reads as
/// <c>invalid_request</c>) with its explanation, and a description the server wrote itself (OpenIddict's); never text
/// from the query string, which would let a crafted link put any message on this server's page.
/// </remarks>
public static class ErrorPage
{
    /// <summary>The code shown for an error this page does not know.</summary>
    public const string UnknownError = "invalid_request";

    private static readonly FrozenDictionary<string, string> Explanations = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["invalid_request"] = "The request is missing something or is not well-formed.",
        ["invalid_client"] = "The application is not known to this server.",
        ["unauthorized_client"] = "The application is not allowed to make this request.",
        ["invalid_scope"] = "The application asked for access this server does not give it.",
        ["access_denied"] = "Access was not granted.",
        ["unsupported_response_type"] = "The application asked for a kind of answer this server does not give.",
        ["server_error"] = "Something went wrong on this server.",
        ["temporarily_unavailable"] = "This server cannot answer right now. Try again in a moment.",
        ["login_required"] = "You need to sign in first.",
        ["consent_required"] = "The application needs your consent first.",
        ["invalid_request_uri"] = "The request URI is not valid.",
        ["invalid_token"] = "The token in the request is not valid.",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="error"/> is a code this page explains.</summary>
    public static bool IsKnown(string? error) => error is not null && Explanations.ContainsKey(error);

    /// <summary>The code to show: <paramref name="error"/> if known, else <see cref="UnknownError"/>.</summary>
    public static string KnownCode(string? error) => IsKnown(error) ? error! : UnknownError;

    /// <summary>What the code means, in the user's words.</summary>
    public static string Explain(string? error) => Explanations[KnownCode(error)];

    /// <summary>
    /// The HTML error page for <paramref name="error"/> (400). <paramref name="serverDescription"/> must be text the
    /// server wrote (OpenIddict's description of a request it refused), never input.
    /// </summary>
    public static IResult For(string? error, string? serverDescription = null) =>
        Results.Content(Render(error, serverDescription), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The page's HTML.</summary>
    public static string Render(string? error, string? serverDescription = null)
    {
        var encoder = HtmlEncoder.Default;
        var code = KnownCode(error);
        var detail = string.IsNullOrWhiteSpace(serverDescription)
            ? string.Empty
            : $"""<p class="hint" id="error-description">{encoder.Encode(serverDescription)}</p>""";
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Error · IdentityHost</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
            .error{background:#fdecec;color:#8a1c1c;border:1px solid #e8a5a5;padding:.6rem;border-radius:.3rem}.hint{color:#5a6375}</style>
            </head>
            <body>
            <h1>This request cannot be completed</h1>
            <p class="error" role="alert">{{encoder.Encode(Explain(code))}}</p>
            {{detail}}
            <p>Error code: <code id="error-code">{{code}}</code></p>
            <p>Go back to the application and try again; if it keeps happening, tell its operator.</p>
            </body>
            </html>
            """;
    }
}
