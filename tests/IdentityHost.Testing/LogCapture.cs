using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace IdentityHost.Testing;

/// <summary>A Serilog sink that keeps every event a host writes, rendered, so tests can search them.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        logEvent.RenderMessage(writer, CultureInfo.InvariantCulture);
        foreach (var property in logEvent.Properties)
        {
            writer.Write(' ');
            writer.Write(property.Key);
            writer.Write('=');
            property.Value.Render(writer, formatProvider: CultureInfo.InvariantCulture);
        }

        if (logEvent.Exception is not null)
        {
            writer.Write(' ');
            writer.Write(logEvent.Exception.ToString());
        }

        _lines.Enqueue(writer.ToString());
    }

    /// <summary>Every event so far: message, properties and exception, one string each.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];
}
