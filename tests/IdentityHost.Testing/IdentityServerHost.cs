using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace IdentityHost.Testing;

/// <summary>
/// The real identity server, hosted in memory with the given configuration on top of its own
/// <c>appsettings*.json</c>. Requests go through the whole ASP.NET Core pipeline. <paramref name="services"/>
/// may replace services, e.g. the clock. Hosts on the built-in password blocklist share one loaded copy of it
/// (<see cref="SharedPasswordBlocklist"/>).
/// </summary>
public sealed class IdentityServerHost(
    IReadOnlyDictionary<string, string?> settings,
    string environment = "Development",
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    /// <summary>Every log event the server wrote.</summary>
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(collection =>
        {
            collection.AddSingleton<ILogEventSink>(Logs);
            if (!settings.TryGetValue("Accounts:PasswordBlocklistPath", out var blocklist) || string.IsNullOrEmpty(blocklist))
            {
                collection.AddSingleton(SharedPasswordBlocklist.Instance);
            }

            services?.Invoke(collection);
        });
    }
}
