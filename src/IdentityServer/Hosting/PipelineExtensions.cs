using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Keys;
using Serilog;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>The HTTP pipeline, in the order it must run.</summary>
public static class PipelineExtensions
{
    /// <summary>
    /// Adds RFC 7807 problem details for errors and empty error answers, the mapping of unparseable requests to
    /// 400/413 (<see cref="MalformedRequestHandler"/>), and the one mapping of an unreachable database to 503
    /// (<see cref="DatabaseUnavailableHandler"/>).
    /// </summary>
    public static IHostApplicationBuilder AddProblemDetailsHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<MalformedRequestHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        return builder;
    }

    /// <summary>
    /// Transport hardening and security headers (<see cref="HttpHardeningExtensions.UseHttpHardening"/>), errors as
    /// problem details (never a stack trace, in any environment), request logging, the seed login
    /// adapter (before routing, since it rewrites the path), the per-IP rate limits (after it, so the seed login
    /// counts as a token request), then routing, the managed keys' refresh, authentication and authorization.
    /// </summary>
    public static WebApplication UseIdentityHostPipeline(this WebApplication app)
    {
        app.UseHttpHardening();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSerilogRequestLogging();
        app.UseSeedLogin();
        app.UseRateLimiter();
        app.UseRouting();
        app.UseServerKeys();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
