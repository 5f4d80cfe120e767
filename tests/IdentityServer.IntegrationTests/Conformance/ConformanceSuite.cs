using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Conformance;

/// <summary>One case's result line from <c>tests/Conformance/run.mjs</c>.</summary>
public sealed record ConformanceResult(string Case, bool Ok, int Milliseconds, string? Detail);

/// <summary>
/// The Node.js conformance suite in <c>tests/Conformance</c> (oauth4webapi, openid-client and jose, installed by
/// <c>npm ci</c> there): finds Node and the packages, runs <c>node run.mjs</c> with the server and clients in
/// <c>IDENTITYHOST_CONFORMANCE_*</c> variables, and reads its JSON result lines.
/// </summary>
public static class ConformanceSuite
{
    /// <summary>The oldest Node.js openid-client 6 supports.</summary>
    public static readonly Version MinimumNode = new(20, 19);

    private static readonly string[] Packages = ["oauth4webapi", "openid-client", "jose"];

    public static string Directory { get; } = RepositoryPaths.Combine("tests", "Conformance");

    /// <summary>
    /// Why the suite cannot run here (no Node.js, too old a Node.js, packages not installed), or null. Note: with
    /// <c>IDENTITYHOST_REQUIRE_ALL=1</c> (CI) the caller makes that a failure rather than a skip.
    /// </summary>
    public static async Task<string?> UnavailableReasonAsync()
    {
        string version;
        try
        {
            var (exitCode, output, _) = await RunNodeAsync(["--version"], new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            version = output.Trim();
            if (exitCode != 0)
            {
                return $"'node --version' exited with {exitCode}.";
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "Node.js ('node') is not on the PATH; the conformance suite needs Node.js " + MinimumNode + " or later.";
        }

        if (!Version.TryParse(version.TrimStart('v'), out var parsed) || parsed < MinimumNode)
        {
            return $"Node.js {version} is too old; the conformance suite (openid-client 6) needs {MinimumNode} or later.";
        }

        var missing = Packages.Where(name => !System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", name))).ToList();
        return missing.Count == 0
            ? null
            : $"The conformance suite's npm packages ({string.Join(", ", missing)}) are not installed: run 'npm ci' in tests/Conformance " +
                "(scripts/test.sh does when node_modules is missing).";
    }

    /// <summary>Runs every case (or those named in <c>IDENTITYHOST_CONFORMANCE_CASES</c>) and returns their results.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<ConformanceResult> Results, string Output)> RunAsync(
        IReadOnlyDictionary<string, string> environment)
    {
        var (exitCode, output, errors) = await RunNodeAsync(["run.mjs"], environment, TimeSpan.FromMinutes(5));
        var results = new List<ConformanceResult>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            results.Add(new ConformanceResult(
                root.GetProperty("case").GetString()!,
                root.GetProperty("ok").GetBoolean(),
                root.TryGetProperty("ms", out var ms) ? ms.GetInt32() : 0,
                root.TryGetProperty("detail", out var detail) ? detail.GetString() : null));
        }

        return (exitCode, results, output + errors);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunNodeAsync(
        string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan limit)
    {
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', arguments)} ran over {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }

        return (process.ExitCode, await output, await errors);
    }
}
