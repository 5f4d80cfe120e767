using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>
/// Answers a request that failed because the database is unreachable (<see cref="DatabaseFailures.IsUnavailable"/>)
/// with 503 and <c>Retry-After</c>: the OAuth error <c>temporarily_unavailable</c> on <c>/connect/*</c>, problem details
/// elsewhere. Any other exception falls through to the generic 500 problem details. Never a stack trace.
/// </summary>
internal sealed class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>What <c>Retry-After</c> suggests: about how long a restarted database takes to be back.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFailures.IsUnavailable(exception))
        {
            return false;
        }

        // Note: the message, not the stack: an outage fails every request, and one line each is enough to see it.
        logger.LogWarning(
            "Database unavailable; answered {Method} {Path} with 503: {Failure}",
            httpContext.Request.Method, httpContext.Request.Path.Value, Describe(exception));
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        httpContext.Response.Headers.CacheControl = "no-store";
        await ErrorResponses.WriteAsync(
            httpContext,
            StatusCodes.Status503ServiceUnavailable,
            "temporarily_unavailable",
            "Service unavailable",
            "The service is temporarily unavailable. Try again later.");
        return true;
    }

    private static string Describe(Exception exception)
    {
        var chain = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            chain.Add($"{current.GetType().Name}: {current.Message}");
        }

        return string.Join(" -> ", chain);
    }
}
