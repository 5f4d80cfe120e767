using IdentityHost.IdentityServer.Common;
using Serilog;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>The HTTP pipeline, in the order it must run.</summary>
public static class PipelineExtensions
{
    /// <summary>
    /// Adds RFC 7807 problem details for errors and empty error answers, the mapping of unreadable requests to
    /// 400/413/415 (<see cref="MalformedRequestHandler"/>), and the one mapping of an unreachable database to 503
    /// (<see cref="DatabaseUnavailableHandler"/>).
    /// </summary>
    public static IHostApplicationBuilder AddProblemDetailsHandling(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<MalformedRequestHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        return builder;
    }

    /// <summary>
    /// Request logging (the status each client was answered, after the exception handlers), transport hardening and
    /// security headers (<see cref="HttpHardeningExtensions.UseHttpHardening"/>), the script files of
    /// wwwroot, errors as problem details (never a stack trace, in any environment), routing, CORS (see Cors), then the rate limits the
    /// chosen endpoint names (before OpenIddict, which answers its endpoints during authentication), authentication and
    /// authorization.
    /// </summary>
    public static WebApplication UseIdentityHostPipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Note: the request log is outside the exception handlers, so it records the answer the client got: a malformed
        // body as the 400 or 413 MalformedRequestHandler writes, a request its client abandoned as the 499 the exception
        // handler sets (a Kestrel "unexpected end of request content" can come before the abort is signalled, so the
        // same hang-up may be either), a database outage as 503. Inside them it saw each such exception as a 500 with a
        // stack trace. A real failure is still logged with its exception, by the exception handler.
        // Note: through the host's logger; by default the middleware writes to the static one, which is the bootstrap
        // logger here (preserveStaticLogger), so request lines ignored the Serilog section (levels, sinks, the format).
        // It comes first, so the hardening's own answers (a body refused by its Content-Length, a redirect to HTTPS) have
        // their line too.
        app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        app.UseHttpHardening();
        app.UseExceptionHandler();
        // Note: the server's own script files (wwwroot/js), after the hardening so they carry the security headers.
        app.UseStaticFiles();
        // Note: not on /connect/*, whose empty error answers are OpenIddict's on purpose (RFC 6750: a Bearer challenge is
        // its WWW-Authenticate header); a problem+json body there would be a second, contradicting error format.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(ErrorResponses.OAuthPathPrefix), pages => pages.UseStatusCodePages());
        app.UseRouting();
        // Note: before OpenIddict, which would answer a preflight to its endpoints with 400, and before the rate limits,
        // so that a 429 carries the CORS headers a browser app needs to read it.
        app.UseCors();
        app.UseRateLimits();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
