using System.Globalization;
using System.Threading.RateLimiting;
using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Per-client-IP limits on the endpoints that check passwords, hand out tokens or create accounts.</summary>
public static class RateLimitingExtensions
{
    /// <summary>
    /// Binds <c>RateLimiting</c> and defines the policies endpoints name (<see cref="RateLimitPolicies"/>): a fixed
    /// one-minute window per client IP address (after trusted proxies are applied) of POSTs that check a password
    /// (<see cref="RateLimitPolicies.PasswordCheck"/>; on the token endpoint only the password grant, the other grants
    /// counting against <c>RateLimiting:TokenRequestsPerMinute</c>), of POSTs that create an account
    /// (<see cref="RateLimitPolicies.Registration"/>) and of POSTs that ask for a mail to an account
    /// (<see cref="RateLimitPolicies.AccountRecovery"/>). Over a limit: 429 with <c>Retry-After</c>, in the OAuth error
    /// format (<c>invalid_request</c>) on <c>/connect/*</c>, as problem details elsewhere.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitSettings>()
            .BindConfiguration(RateLimitSettings.SectionName)
            .Validate(settings => settings.CredentialsPerMinute > 0, "RateLimiting:CredentialsPerMinute must be positive.")
            .Validate(settings => settings.TokenRequestsPerMinute > 0, "RateLimiting:TokenRequestsPerMinute must be positive.")
            .Validate(settings => settings.RegistrationsPerMinute > 0, "RateLimiting:RegistrationsPerMinute must be positive.")
            .Validate(settings => settings.RecoveryRequestsPerMinute > 0, "RateLimiting:RecoveryRequestsPerMinute must be positive.")
            .ValidateOnStart();

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitSettings>>((limiter, settings) =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.AddPolicy(RateLimitPolicies.PasswordCheck, context => ChecksNoPassword(context)
                    ? PerAddress(context, "token", settings.Value.TokenRequestsPerMinute)
                    : PerAddress(context, "password", settings.Value.CredentialsPerMinute));
                limiter.AddPolicy(RateLimitPolicies.Registration, context =>
                    PerAddress(context, "registration", settings.Value.RegistrationsPerMinute));
                limiter.AddPolicy(RateLimitPolicies.AccountRecovery, context =>
                    PerAddress(context, "recovery", settings.Value.RecoveryRequestsPerMinute));
                limiter.OnRejected = RejectAsync;
            });
        return builder;
    }

    /// <summary>
    /// The rate limiter, preceded by reading the form of the endpoints that carry
    /// <see cref="RateLimitPolicies.ByGrantType"/>, so their policy can see the grant type.
    /// </summary>
    public static WebApplication UseRateLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(ReadFormFirstAsync);
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Note: a policy's partition callback is synchronous, so the form must be parsed before the limiter runs;
    /// OpenIddict then reads the same parsed form instead of the body. A malformed form fails here exactly as it would
    /// have in OpenIddict (<see cref="MalformedRequestHandler"/>). The body is already capped at
    /// <c>RequestLimits:MaxBodyBytes</c>, so this costs an unlimited client no more than the token endpoint would.
    /// </summary>
    private static async Task ReadFormFirstAsync(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsPost(context.Request.Method) &&
            context.Request.ContentType?.StartsWith(UrlEncodedForm, StringComparison.OrdinalIgnoreCase) == true &&
            context.GetEndpoint()?.Metadata.GetMetadata<GrantTypeRateLimit>() is not null)
        {
            await context.Request.ReadFormAsync(context.RequestAborted);
        }

        await next();
    }

    // Note: the one form type OpenIddict reads; a multipart body is refused by it unread, and so left unread here.
    private const string UrlEncodedForm = "application/x-www-form-urlencoded";

    /// <summary>
    /// Whether a request to a <see cref="RateLimitPolicies.PasswordCheck"/> endpoint is sure to check no password: a
    /// token request whose form names a grant other than <c>password</c>. Note: anything else (the seed login, the
    /// sign-in page, a token request that is not a form or names the password grant among several) counts as a
    /// password check, the stricter limit.
    /// </summary>
    private static bool ChecksNoPassword(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrantTypeRateLimit>() is not null &&
        context.Features.Get<IFormFeature>()?.Form is { } form &&
        !form[Parameters.GrantType].Contains(GrantTypes.Password, StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="permits"/> POSTs per minute from the request's address, counted under <paramref name="kind"/>;
    /// other methods (the GET of a page) are not counted. Note: the policy's name is part of the partition, so each
    /// policy counts on its own, however many endpoints share it; within one policy, each kind has its own count.
    /// </summary>
    private static RateLimitPartition<string> PerAddress(HttpContext context, string kind, int permits) =>
        !HttpMethods.IsPost(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter(string.Empty)
            : RateLimitPartition.GetFixedWindowLimiter(kind + ":" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    /// <summary>
    /// 429 with <c>Retry-After</c>. Note: on <c>/connect/*</c> the error is <c>invalid_request</c>, the code RFC 6749
    /// section 5.2 gives the token endpoint for a request it will not process; <c>temporarily_unavailable</c> is
    /// defined only for the authorization endpoint, and strict clients reject an error code they do not know.
    /// </summary>
    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ErrorResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "invalid_request", "Too many requests",
            $"Too many requests from this address; retry after {seconds} seconds.");
    }
}
