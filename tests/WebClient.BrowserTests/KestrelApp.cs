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
        UseKestrel(port);
    }

    public Uri BaseAddress { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
