using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IdentityHost.Testing;

/// <summary>
/// Ports for the servers the tests start as processes (MariaDB, Galera members and their state transfers, HAProxy,
/// IdentityHost itself, the mail catcher), which are chosen before the server binds them.
/// </summary>
/// <remarks>
/// Note: the ports come from below the kernel's ephemeral range. A port of that range that is free when chosen can become
/// the local port of any outgoing connection (a test's HTTP or MySQL client, of this process or another) in the seconds
/// before its server binds it; a Galera joiner whose rsync daemon found its port taken that way left the cluster, and the
/// cluster tests failed before they began. Below the range, only another explicit bind can take a port: each process
/// starts at its own random place and checks every candidate.
/// </remarks>
public static class FreePorts
{
    private const int Lowest = 10_000;

    private static readonly Lock Gate = new();
    private static readonly int Highest = EphemeralLow() - 1;
    private static int _next = Highest > Lowest + 1_000 ? Random.Shared.Next(Lowest, Highest) : 0;

    /// <summary>A loopback TCP port nothing listens on now and that no outgoing connection will be given.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; _next != 0 && attempt < Highest - Lowest; attempt++)
            {
                var port = _next;
                _next = port >= Highest ? Lowest : port + 1;
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

        // Note: no room below the ephemeral range (or no way to read it): the kernel's choice, free now.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            var text = File.Exists(range) ? File.ReadAllText(range) : string.Empty;
            var low = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return low is not null && int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
