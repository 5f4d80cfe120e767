using System.Net;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Hosting;

/// <summary>Transport and browser hardening: trusted proxies only, HTTPS with HSTS, security headers on every answer.</summary>
public static class HttpHardeningExtensions
{
    /// <summary>Binds <c>ForwardedHeaders</c> (validated at start-up, naming the bad entry) and HSTS (one year).</summary>
    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.SectionName)
            .Validate(settings => settings.KnownProxies.All(proxy => IPAddress.TryParse(proxy, out _)),
                "ForwardedHeaders:KnownProxies must hold IP addresses.")
            .Validate(settings => settings.KnownNetworks.All(network => System.Net.IPNetwork.TryParse(network, out _)),
                "ForwardedHeaders:KnownNetworks must hold networks in CIDR notation (e.g. 10.0.0.0/24).")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ForwardedHeadersSettings>>((forwarded, settings) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // Note: ASP.NET Core trusts loopback by default; only what is configured is trusted here.
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in settings.Value.KnownProxies)
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }

                foreach (var network in settings.Value.KnownNetworks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            });
        builder.Services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        builder.Services.AddOptions<RequestLimitSettings>()
            .BindConfiguration(RequestLimitSettings.SectionName)
            .Validate(limits => limits.MaxBodyBytes > 0, "RequestLimits:MaxBodyBytes must be positive.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Forwarded headers (only when proxies are configured: with none, ASP.NET Core would believe any sender),
    /// HSTS and HTTPS redirection whenever <c>OpenIddict:RequireHttps</c> is on (it is off in Development), and
    /// security headers on every response, error responses included.
    /// </summary>
    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        // Note: settings are read on the first request, not while the pipeline is built, so that a bad setting
        // fails start-up through options validation, with its message in the log.
        app.Use(next =>
        {
            Func<HttpContext, Task>? forwarded = null;
            return context =>
            {
                forwarded ??= context.RequestServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Any
                    ? new ForwardedHeadersMiddleware(next, context.RequestServices.GetRequiredService<ILoggerFactory>(),
                        context.RequestServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>()).Invoke
                    : next.Invoke;
                return forwarded(context);
            };
        });

        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                SetSecurityHeaders(context);
                return Task.CompletedTask;
            });
            return next(context);
        });

        app.Use(LimitBodySizeAsync);

        app.UseWhen(
            context => context.RequestServices.GetRequiredService<IOptions<TokenServerOptions>>().Value.RequireHttps,
            https => https.UseHsts().UseHttpsRedirection());
        return app;
    }

    /// <summary>
    /// Refuses a body over <c>RequestLimits:MaxBodyBytes</c>: at once with 413 when Content-Length says so (problem
    /// details, or the OAuth error format on <c>/connect/*</c>); a chunked body is cut off by the server at that size.
    /// </summary>
    private static async Task LimitBodySizeAsync(HttpContext context, Func<Task> next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<RequestLimitSettings>>().Value.MaxBodyBytes;
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength is not { } length || length <= limit)
        {
            await next();
            return;
        }

        await ErrorResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_request", "Payload too large",
            $"The request body is larger than {limit} bytes.");
    }

    private static void SetSecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Note: no Referer, so codes, tokens or return URLs in a URL never leak to another site.
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        // Note: IdentityHost's own pages run no script and load nothing from elsewhere. The /connect/* endpoints
        // may answer with OpenIddict's form_post page, whose inline script posts the code to the client, so only
        // framing is forbidden there. form-action is left open: after the sign-in form, the browser follows
        // redirects to the client's registered redirect URI, which a form-action list would block.
        // A page that runs script names its sources (ContentSecurity.ScriptSourcesItem); it may then also fetch from
        // this origin, and its script may add styles and fonts of its own. The sign-in and account pages that run the
        // server's own script file (ContentSecurity.OwnScriptItem, the passkey ceremonies) keep the policy of the pages
        // without script, form-action left open included, plus that file's origin and the fetch of its options.
        const string pages = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/connect")
            ? "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
            : context.Items[ContentSecurity.ScriptSourcesItem] is string scripts
                ? $"default-src 'none'; script-src {scripts}; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
                : context.Items.ContainsKey(ContentSecurity.OwnScriptItem)
                    ? pages + "; script-src 'self'; connect-src 'self'"
                    : pages;
    }
}
