using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.Benchmarks;

/// <summary>
/// The raw limit of password checks: how many hashes the machine verifies per second on all cores, with nothing
/// else to do. A password grant or registration can at best approach it.
/// </summary>
internal static class HashBenchmark
{
    public static int Run(string serverDirectory, double seconds)
    {
        var hasher = ServerSettings.CreateHasher(serverDirectory, out var iterations);
        const string password = "correct horse battery staple";
        var hash = hasher.HashPassword(new object(), password);
        var threads = Environment.ProcessorCount;

        // Note: one verification per thread first, so JIT and thread start-up stay out of the figure.
        Parallel.For(0, threads, _ => Verify(hasher, hash, password));

        long verified = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            long count = 0;
            while (clock.Elapsed < deadline)
            {
                Verify(hasher, hash, password);
                count++;
            }

            Interlocked.Add(ref verified, count);
        })).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());
        var elapsed = clock.Elapsed.TotalSeconds;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hash_iterations={iterations}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hash_threads={threads}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hash_per_second={verified / elapsed:F1}"));
        return 0;
    }

    private static void Verify(PasswordHasher<object> hasher, string hash, string password)
    {
        if (hasher.VerifyHashedPassword(new object(), hash, password) == PasswordVerificationResult.Failed)
        {
            throw new InvalidOperationException("The hash did not verify.");
        }
    }
}
