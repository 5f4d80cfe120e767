extern alias ResourceApi;

using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>
/// The real resource API, hosted in memory and configured like a customer's service: it trusts the identity
/// server at <c>ResourceApi:Authority</c>, reaching its discovery document and JWKS through
/// <paramref name="backchannel"/> (the in-memory identity server).
/// </summary>
public sealed class ResourceApiHost(
    Uri authority,
    HttpMessageHandler backchannel,
    Action<JwtBearerOptions>? configure = null,
    IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<ResourceApi::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ResourceApi:Authority", authority.ToString());
        builder.UseSetting("ResourceApi:RequireHttpsMetadata", "false");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Configure<JwtBearerOptions>(
            JwtBearerDefaults.AuthenticationScheme, options =>
            {
                options.BackchannelHttpHandler = backchannel;
                configure?.Invoke(options);
            }));
    }
}
