namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// Ends a request its client gave up on (it closed the connection, or a browser navigated away) as 499, the code ASP.NET
/// Core's own exception handler uses for it, instead of letting the cancellation that follows reach the request log as a
/// 500 with a stack trace. Nobody reads that answer; a load test that stops (every wrk run ends with a few requests in
/// flight) is not a server failure, and a 500 in the log should mean one. Note: only when the request was aborted; an
/// exception of any kind in a request whose client is still there goes on to the exception handlers.
/// </summary>
internal static class AbortedRequests
{
    /// <summary>The middleware: runs the rest of the pipeline and ends an aborted request quietly.</summary>
    public static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.RequestAborted.IsCancellationRequested &&
                                          exception is OperationCanceledException or BadHttpRequestException or IOException)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            }
        }
    }
}
