using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Graceful shutdown: a stop lets in-flight requests finish.</summary>
public static class ShutdownExtensions
{
    /// <summary>
    /// Sets <see cref="HostOptions.ShutdownTimeout"/> from <c>Hosting:ShutdownTimeout</c>. On SIGTERM Kestrel stops
    /// accepting connections and waits up to that long for the requests it has to be answered, then the process
    /// exits with 0.
    /// </summary>
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HostingSettings>()
            .BindConfiguration(HostingSettings.SectionName)
            .Validate(settings => settings.ShutdownTimeout >= TimeSpan.Zero, "Hosting:ShutdownTimeout must not be negative.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<HostingSettings>>((host, settings) => host.ShutdownTimeout = settings.Value.ShutdownTimeout);
        return builder;
    }
}
