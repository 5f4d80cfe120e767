using Serilog;
using Serilog.Configuration;
using Serilog.Formatting.Compact;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Serilog set-up.</summary>
public static class LoggingExtensions
{
    /// <summary>The key that chooses the console log's format: <c>text</c> (the default) or <c>json</c>.</summary>
    public const string FormatKey = "Logging:Format";

    /// <summary>
    /// The logger for the moments before the host is built (and for a failure to start), in the format
    /// <c>Logging__Format</c> asks for in the environment, so a log shipper reading JSON also gets the fatal line. Note:
    /// an unknown format is text here; the host's own set-up then fails, naming the key, through this logger.
    /// </summary>
    public static Serilog.Extensions.Hosting.ReloadableLogger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .WriteTo.Console(string.Equals(Environment.GetEnvironmentVariable("Logging__Format")?.Trim(), "json", StringComparison.OrdinalIgnoreCase))
            .CreateBootstrapLogger();

    /// <summary>
    /// Replaces the default logging with Serilog, configured from the <c>Serilog</c> section, writing to the
    /// console (as text, or as Serilog's compact JSON when <c>Logging:Format</c> is <c>json</c>) and to any
    /// <see cref="Serilog.Core.ILogEventSink"/> registered in the container.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityHostLogging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var json = IsJson(builder.Configuration[FormatKey]);

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
                .WriteTo.Async(sink => sink.Console(json), blockWhenFull: true),
            preserveStaticLogger: true);
        return builder;
    }

    private static LoggerConfiguration Console(this LoggerSinkConfiguration sink, bool json) =>
        json
            ? sink.Console(new CompactJsonFormatter())
            : sink.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsJson(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => false,
        "json" => true,
        _ => throw new InvalidOperationException($"{FormatKey} must be 'text' or 'json' (it is '{format}')."),
    };
}
