using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityHost.Benchmarks;

/// <summary>The identity server's own settings, read the way it reads them: appsettings.json, then the environment.</summary>
internal static class ServerSettings
{
    /// <summary>The hasher the server uses: Identity's PBKDF2 with <c>Accounts:PasswordHashIterations</c>.</summary>
    public static PasswordHasher<object> CreateHasher(string serverDirectory, out int iterations)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Path.GetFullPath(serverDirectory))
            .AddJsonFile("appsettings.json", optional: false)
            .AddEnvironmentVariables()
            .Build();
        // Note: the server's default when the key is unset (AccountOptions.PasswordHashIterations).
        iterations = configuration.GetValue("Accounts:PasswordHashIterations", 100_000);
        return new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { IterationCount = iterations }));
    }
}
