using System.Text.Encodings.Web;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The page a browser gets when an authorization or end-session request cannot be answered to the client (an
/// unknown client, a redirect URI it did not register): the user learns what went wrong; nobody is redirected.
/// </summary>
public static class ErrorPage
{
    public static IResult For(string error, string? description)
    {
        var encoder = HtmlEncoder.Default;
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Error · IdentityHost</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
            .error{background:#fdecec;color:#8a1c1c;border:1px solid #e8a5a5;padding:.6rem;border-radius:.3rem}</style>
            </head>
            <body>
            <h1>This sign-in request cannot be completed</h1>
            <p class="error" role="alert">{{encoder.Encode(description ?? "The request is not valid.")}}</p>
            <p>Error code: <code id="error-code">{{encoder.Encode(error)}}</code></p>
            <p>Go back to the application and try again; if it keeps happening, tell its operator.</p>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
    }
}
