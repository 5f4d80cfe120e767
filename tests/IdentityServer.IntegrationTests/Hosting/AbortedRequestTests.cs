using System.Net.Sockets;
using System.Text;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// A client that closes its connection mid-request, on the real server process (Kestrel, not the test host): the request log
/// shows the client's doing, not a 500 with a stack trace.
/// </summary>
public sealed class AbortedRequestTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/connect/token", "application/x-www-form-urlencoded", "grant_type=password&username=")]
    [InlineData("/api/auth/register", "application/json", "{\"username\":\"half")]
    public async Task ARequestWhoseClientHangsUpMidBodyIsNotLoggedAsAServerError(string path, string type, string part)
    {
        await using var server = await IdentityServerProcess.StartAsync(new Dictionary<string, string>
        {
            // Note: the hosting layer logs each request's start, which tells the test the server is reading the body.
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, Cancel);
            var stream = client.GetStream();
            var head = $"POST {path} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: {type}\r\n" +
                       $"Content-Length: 4096\r\n\r\n{part}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Cancel);
            await server.WaitForLinesAsync($"Request starting HTTP/1.1 POST {server.BaseAddress.ToString().TrimEnd('/')}{path}", 1,
                TimeSpan.FromSeconds(30));
        }

        // Note: 499 when the server has seen the hang-up by the time the body read fails, 400 (the body ended short) when
        // the read fails first: which comes first is a race inside Kestrel. Both are the client's doing, and neither is
        // logged as an error.
        await server.WaitForLinesAsync($"HTTP POST {path} responded 4", 1, TimeSpan.FromSeconds(30));
        Assert.Equal(1, server.CountLines($"HTTP POST {path} responded 499") + server.CountLines($"HTTP POST {path} responded 400"));
        Assert.Equal(0, server.CountLines("responded 500"));
        Assert.Equal(0, server.CountLines("[ERR]") + server.CountLines(" ERR]"));
    }
}
