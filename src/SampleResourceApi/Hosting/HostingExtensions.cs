using Serilog;

namespace IdentityHost.SampleResourceApi.Hosting;

/// <summary>Logging, error answers and health for the resource API.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> section plus any sink registered in the container, RFC 7807 problem
    /// details for errors, and the health checks.
    /// </summary>
    public static IHostApplicationBuilder AddResourceApiHosting(this IHostApplicationBuilder builder)
    {
        // Note: the console is written from a background thread, so a request never waits on stdout; when the queue is
        // full, logging waits rather than drop an event.
        // Note: preserveStaticLogger keeps each host's logger its own (several hosts share a test process).
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .WriteTo.Async(
                    sink => sink.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture),
                    blockWhenFull: true),
            preserveStaticLogger: true);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>Request logging, exception and status-code problem details, authentication and authorization.</summary>
    public static WebApplication UseResourceApiPipeline(this WebApplication app)
    {
        // Note: first, outside the exception handler, so each line has the status the client got (as in the identity
        // server), and through the host's logger, not the static bootstrap logger (preserveStaticLogger), so request
        // lines follow the Serilog section like every other line.
        app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        // Note: a JSON API: nothing to render, frame or sniff, on any answer (error answers included).
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps <c>/health/live</c>.</summary>
    public static IEndpointRouteBuilder MapResourceApiHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live");
        return endpoints;
    }
}
