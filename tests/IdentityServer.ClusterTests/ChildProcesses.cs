using System.Diagnostics;

namespace IdentityHost.IdentityServer.ClusterTests;

/// <summary>
/// Every process the cluster tests start (database members, proxy, application nodes), killed when the test process
/// exits however it exits, so none outlives a run even when a fixture's disposal is cut short.
/// </summary>
internal static class ChildProcesses
{
    private static readonly List<Process> Started = [];

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        lock (Started)
        {
            Started.Add(process);
        }

        return process;
    }

    /// <summary>Kills one process at once (SIGKILL) and waits for it, without waiting on its output streams.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Note: it had already exited.
        }
    }

    private static void KillAll()
    {
        lock (Started)
        {
            foreach (var process in Started)
            {
                Kill(process);
            }
        }
    }
}
