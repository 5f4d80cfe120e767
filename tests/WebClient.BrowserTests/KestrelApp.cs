using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IdentityHost.Samples.WebClient.BrowserTests;

/// <summary>One of the web apps on real Kestrel at <c>http://localhost:{port}</c>, so a real browser can reach it.</summary>
public sealed class KestrelApp<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public KestrelApp(int port, IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        BaseAddress = new Uri($"http://localhost:{port}/");
        // Note: the port goes in as the server's URL, not through UseKestrel(port): that overload rewrites the server's
        // addresses after the app has started Kestrel on its own thread, and throws when Kestrel bound first
        // (dotnet/aspnetcore#67714; seen here once as "Addresses cannot be modified after the server has started").
        UseKestrel();
    }

    public Uri BaseAddress { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, $"http://localhost:{BaseAddress.Port}");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
