using System.Globalization;
using System.Threading.RateLimiting;
using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Per-client-IP limits on the endpoints that check passwords or create accounts.</summary>
public static class RateLimitingExtensions
{
    /// <summary>
    /// Binds <c>RateLimiting</c> and defines the policies endpoints name (<see cref="RateLimitPolicies"/>): a fixed
    /// one-minute window per client IP address (after trusted proxies are applied) of POSTs that check a password
    /// (<see cref="RateLimitPolicies.PasswordCheck"/>) and of POSTs that create an account
    /// (<see cref="RateLimitPolicies.Registration"/>). Over a limit: 429 with <c>Retry-After</c>, in the OAuth error
    /// format on <c>/connect/*</c>, as problem details elsewhere.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitSettings>()
            .BindConfiguration(RateLimitSettings.SectionName)
            .Validate(settings => settings.CredentialsPerMinute > 0, "RateLimiting:CredentialsPerMinute must be positive.")
            .Validate(settings => settings.RegistrationsPerMinute > 0, "RateLimiting:RegistrationsPerMinute must be positive.")
            .ValidateOnStart();

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitSettings>>((limiter, settings) =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.AddPolicy(RateLimitPolicies.PasswordCheck, context => PerAddress(context, settings.Value.CredentialsPerMinute));
                limiter.AddPolicy(RateLimitPolicies.Registration, context => PerAddress(context, settings.Value.RegistrationsPerMinute));
                limiter.OnRejected = RejectAsync;
            });
        return builder;
    }

    /// <summary>
    /// <paramref name="permits"/> POSTs per minute from the request's address; other methods (the GET of a page) are not
    /// counted. Note: the policy's name is part of the partition, so each policy counts on its own, however many
    /// endpoints share it.
    /// </summary>
    private static RateLimitPartition<string> PerAddress(HttpContext context, int permits) =>
        !HttpMethods.IsPost(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter(string.Empty)
            : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ErrorResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "temporarily_unavailable", "Too many requests",
            $"Too many requests from this address; retry after {seconds} seconds.");
    }
}
