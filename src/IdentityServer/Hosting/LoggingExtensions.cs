using Serilog;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Serilog set-up.</summary>
public static class LoggingExtensions
{
    /// <summary>
    /// Replaces the default logging with Serilog, configured from the <c>Serilog</c> section, writing to the
    /// console and to any <see cref="Serilog.Core.ILogEventSink"/> registered in the container.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityHostLogging(this IHostApplicationBuilder builder)
    {
        // Note: the console is written from a background thread, so a request never waits on stdout (one line per
        // request adds up under load: docs/benchmarks.md); when the queue is full, logging waits rather than drop
        // an event, since audit events must not be lost.
        // Note: preserveStaticLogger keeps each host's logger its own, so several hosts in one process
        // (integration tests) never fight over freezing the static bootstrap logger.
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .WriteTo.Async(
                    sink => sink.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture),
                    blockWhenFull: true),
            preserveStaticLogger: true);
        return builder;
    }
}
