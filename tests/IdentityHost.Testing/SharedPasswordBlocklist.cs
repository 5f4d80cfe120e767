using IdentityHost.IdentityServer.Accounts;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IdentityHost.Testing;

/// <summary>
/// The built-in password blocklist, read once for the whole test process and handed to every test host that uses the
/// built-in list: the same file and the same rules as a server's own, without reading 437,651 passwords (and
/// collecting 20 MB of strings) for each of the hundreds of hosts a run starts.
/// </summary>
public static class SharedPasswordBlocklist
{
    private static readonly Lazy<PasswordBlocklist> Loaded = new(() =>
    {
        var blocklist = new PasswordBlocklist(
            Options.Create(new AccountOptions()),
            new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory },
            NullLogger<PasswordBlocklist>.Instance);
        _ = blocklist.Count;
        return blocklist;
    });

    public static PasswordBlocklist Instance => Loaded.Value;
}
