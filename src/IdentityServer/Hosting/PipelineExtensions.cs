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
        // Note: the request log comes first, outside the exception handlers, so each line has the status the client got:
        // a malformed body as the 400, 413 or 415 MalformedRequestHandler writes, an abandoned request as the exception
        // handler's 499 (or 400, when Kestrel's body read fails before the abort is signalled), a database outage as 503,
        // the hardening's own 413 and HTTPS redirect. Inside the handlers it logged each of those as a 500 with a stack
        // trace. A real failure is still a 500, its exception logged by the exception handler. It writes through the
        // host's logger: by default it uses the static one, the bootstrap logger here (preserveStaticLogger), which
        // ignores the Serilog section (levels, sinks, format).
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
