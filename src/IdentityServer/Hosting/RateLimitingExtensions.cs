using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Per-client-IP limits on the endpoints that check passwords or create accounts.</summary>
public static class RateLimitingExtensions
{
    /// <summary>
    /// Binds <c>RateLimiting</c> and adds a fixed one-minute window per client IP address (after trusted proxies
    /// are applied) for credential checks and for registrations. Over the limit: 429 with <c>Retry-After</c>, in
    /// the OAuth error format on <c>/connect/*</c>, as problem details elsewhere.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityHostRateLimiting(this IHostApplicationBuilder builder)
    {
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
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                {
                    var kind = Classify(context.Request);
                    if (kind is null)
                    {
                        return RateLimitPartition.GetNoLimiter(string.Empty);
                    }

                    var permits = kind == "credentials" ? settings.Value.CredentialsPerMinute : settings.Value.RegistrationsPerMinute;
                    var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                    return RateLimitPartition.GetFixedWindowLimiter(kind + "|" + address, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permits,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    });
                });
                limiter.OnRejected = RejectAsync;
            });
        return builder;
    }

    /// <summary>Which limit a request counts against: <c>credentials</c>, <c>registrations</c>, or none.</summary>
    private static string? Classify(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return null;
        }

        // Note: the seed /api/auth/login has been rewritten to /connect/token by now, so it shares that limit.
        var path = request.Path;
        if (path.Equals("/connect/token", StringComparison.OrdinalIgnoreCase) ||
            path.Equals("/account/login", StringComparison.OrdinalIgnoreCase))
        {
            return "credentials";
        }

        return path.Equals("/api/auth/register", StringComparison.OrdinalIgnoreCase) ||
               path.Equals("/account/register", StringComparison.OrdinalIgnoreCase)
            ? "registrations"
            : null;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await OAuthErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "temporarily_unavailable", "Too many requests",
            $"Too many requests from this address; retry after {seconds} seconds.");
    }
}
