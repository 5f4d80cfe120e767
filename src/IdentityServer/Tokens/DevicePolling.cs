using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Holds devices to the polling interval of the device authorization grant (RFC 8628 section 3.5): a device that asks
/// for its tokens again within <see cref="Interval"/> of its last poll is told <c>slow_down</c> instead of being
/// answered. OpenIddict answers every poll.
/// </summary>
/// <remarks>
/// Note: the last poll of each device code is remembered on this node only (by a hash of the code, for at most the
/// code's lifetime); behind a load balancer a device that alternates nodes may poll up to once per node per interval.
/// </remarks>
internal sealed class DevicePolling(TimeProvider clock) : IOpenIddictServerHandler<ValidateTokenRequestContext>, IDisposable
{
    /// <summary>The interval RFC 8628 gives a device when the server names none (and IdentityHost names none).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly MemoryCache _lastPolls = new(new MemoryCacheOptions { SizeLimit = 100_000, Clock = new CacheClock(clock) });

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<DevicePolling>()
            .SetOrder(int.MinValue + 60_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.IsDeviceCodeGrantType() || string.IsNullOrEmpty(context.Request.DeviceCode))
        {
            return default;
        }

        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.DeviceCode)));
        var now = clock.GetUtcNow();
        if (_lastPolls.TryGetValue(key, out DateTimeOffset last) && now - last < Interval)
        {
            // Note: the device polled too early; RFC 8628 has it add 5 seconds to its interval from now on.
            _lastPolls.Set(key, now, Entry());
            context.Reject(Errors.SlowDown, $"Poll at most every {Interval.TotalSeconds:0} seconds, and 5 seconds less often from now on.");
            return default;
        }

        _lastPolls.Set(key, now, Entry());
        return default;
    }

    public void Dispose() => _lastPolls.Dispose();

    private static MemoryCacheEntryOptions Entry() => new() { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(15) };

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
