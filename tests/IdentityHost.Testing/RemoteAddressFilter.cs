using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace IdentityHost.Testing;

/// <summary>
/// Makes requests reach the server from a chosen IP address, as over a real network: <see cref="Header"/>'s
/// value if the request has one, else <paramref name="address"/>. Register it as an <see cref="IStartupFilter"/>.
/// </summary>
public sealed class RemoteAddressFilter(IPAddress address) : IStartupFilter
{
    /// <summary>A test-only request header naming the address a request comes from.</summary>
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(Header, out var value) &&
                IPAddress.TryParse(value.ToString(), out var chosen)
                ? chosen
                : address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
