using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Diagnostics;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// Answers requests the framework cannot parse (a form with a NUL, a key over 2,048 characters, too many fields; a
/// body cut off at the size limit) with 400 or 413 instead of a 500: the OAuth error format on <c>/connect/*</c>,
/// problem details elsewhere. Nothing reached the database, so nothing needs undoing.
/// </summary>
internal sealed class MalformedRequestHandler(ILogger<MalformedRequestHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            InvalidDataException => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status is < 400 or >= 500 || httpContext.Response.HasStarted)
        {
            return false;
        }

        logger.LogInformation("Refused a malformed request to {Path} with {StatusCode}: {Reason}",
            httpContext.Request.Path, status, exception.Message);
        await OAuthErrors.WriteAsync(httpContext, status, "invalid_request",
            status == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "The request is malformed.",
            status == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this server accepts."
                : "The request body could not be read: it is not well-formed.");
        return true;
    }
}
