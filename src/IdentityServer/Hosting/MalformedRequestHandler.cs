using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// Answers requests the framework cannot read instead of a 500: a JSON body the endpoint's request record cannot be
/// bound from (400 naming the field, or 415 for a body that is not JSON; see <see cref="JsonRequests"/>), a form with a
/// NUL, a key over 2,048 characters or too many fields (400), a body cut off at the size limit (413). The OAuth error
/// format on <c>/connect/*</c>, problem details elsewhere. Nothing reached the database, so nothing needs undoing.
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
        if (exception is BadHttpRequestException bodyError && !httpContext.Request.Path.StartsWithSegments(ErrorResponses.OAuthPathPrefix) &&
            JsonRequests.Describe(bodyError) is { } described)
        {
            var (jsonStatus, errors) = described;
            if (errors is null)
            {
                await ErrorResponses.Problem(jsonStatus, JsonRequests.UnsupportedMediaTypeTitle, "Send the request body as application/json.")
                    .ExecuteAsync(httpContext);
            }
            else
            {
                await ErrorResponses.WriteValidationProblemAsync(httpContext, errors, ErrorResponses.ValidationTitle);
            }

            return true;
        }

        await ErrorResponses.WriteAsync(httpContext, status, "invalid_request",
            status == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "The request is malformed.",
            status == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this server accepts."
                : "The request body could not be read: it is not well-formed.");
        return true;
    }
}
