namespace IdentityHost.IdentityServer.Hosting;

/// <summary>The <c>RequestLimits</c> section: how large a request body may be.</summary>
public sealed class RequestLimitSettings
{
    public const string SectionName = "RequestLimits";

    /// <summary>The largest request body accepted, in bytes (default 64 KiB; every form and JSON body here is small).</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;
}
