using System.Collections.Concurrent;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>A user that never exists, whose hash is verified when a login names an unknown user.</summary>
internal static class DummyUser
{
    private static readonly ConcurrentDictionary<int, string> Hashes = new();

    public static ApplicationUser Instance { get; } = new() { UserName = "dummy" };

    /// <summary>
    /// A hash made with the server's own hasher settings, so verifying it costs what a real one does. Note: made once
    /// per iteration count, since a dummy hash cheaper than real ones would tell which user names exist.
    /// </summary>
    public static string GetPasswordHash(IOptions<PasswordHasherOptions> options) =>
        Hashes.GetOrAdd(options.Value.IterationCount, _ =>
            new PasswordHasher<ApplicationUser>(options).HashPassword(Instance, Guid.NewGuid().ToString("N")));
}
