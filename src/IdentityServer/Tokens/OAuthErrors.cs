using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>The answers of IdentityHost's own code on OAuth endpoints, in the OAuth error format.</summary>
internal static class OAuthErrors
{
    /// <summary>Lets OpenIddict answer the current passthrough request with <paramref name="error"/>.</summary>
    public static IResult Reject(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>
    /// Writes an error from a middleware that runs before OpenIddict (rate limits, size limits): the OAuth error
    /// format on <c>/connect/*</c>, problem details elsewhere.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string oauthError, string title, string description)
    {
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments("/connect"))
        {
            await context.Response.WriteAsJsonAsync(
                new Dictionary<string, string> { ["error"] = oauthError, ["error_description"] = description });
            return;
        }

        await Results.Problem(statusCode: status, title: title, detail: description).ExecuteAsync(context);
    }
}
