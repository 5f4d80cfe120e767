using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Server.AspNetCore;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The one place error answers are made: the OAuth error format on <c>/connect/*</c> (RFC 6749 section 5.2), RFC 7807
/// problem details everywhere else.
/// </summary>
public static class ErrorResponses
{
    /// <summary>The path prefix of the OAuth endpoints, which answer errors in the OAuth format.</summary>
    public const string OAuthPathPrefix = "/connect";

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
    /// Writes an error from code that runs outside an endpoint (middleware, exception handlers, rate limits): the OAuth
    /// error format on <c>/connect/*</c>, problem details elsewhere.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string oauthError, string title, string description)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments(OAuthPathPrefix))
        {
            await context.Response.WriteAsJsonAsync(
                new Dictionary<string, string> { ["error"] = oauthError, ["error_description"] = description });
            return;
        }

        await Problem(status, title, description).ExecuteAsync(context);
    }

    /// <summary>Writes a 400 validation problem naming each bad field.</summary>
    public static Task WriteValidationProblemAsync(HttpContext context, IDictionary<string, string[]> errors, string title) =>
        TypedResults.ValidationProblem(errors, title: title).ExecuteAsync(context);

    /// <summary>A problem details answer (RFC 7807) with a human title and detail.</summary>
    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>A problem details answer from a Razor page handler (one that a page's script fetches).</summary>
    public static IActionResult PageProblem(int status, string title, string detail) => new ExecutedResult(Problem(status, title, detail));

    /// <summary>404: the resource named in the route does not exist.</summary>
    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>403: the caller is known but may not do this.</summary>
    public static ProblemHttpResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>409: the request conflicts with what is stored.</summary>
    public static ProblemHttpResult Conflict(string title, string detail) => Problem(StatusCodes.Status409Conflict, title, detail);

    /// <summary>400 naming one bad field.</summary>
    public static ValidationProblem Invalid(string field, string message, string title = ValidationTitle) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: title);

    /// <summary>The title of a 400 validation problem.</summary>
    public const string ValidationTitle = "The request is not valid.";

    private sealed class ExecutedResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
