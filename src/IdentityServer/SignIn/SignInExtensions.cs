using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>Interactive sign-in: the server's pages, its session cookie and the authorization endpoint.</summary>
public static class SignInExtensions
{
    /// <summary>The sign-in session cookie's name.</summary>
    public const string SessionCookieName = "identityhost.session";

    /// <summary>
    /// Adds the sign-in, registration, sign-out and consent pages (Razor Pages, antiforgery on every form) and the
    /// server's session cookie: HttpOnly, SameSite=Lax (the browser must send it when a client redirects here),
    /// Secure whenever <c>OpenIddict:RequireHttps</c> is on, 8 hours sliding.
    /// </summary>
    public static IHostApplicationBuilder AddInteractiveSignIn(this IHostApplicationBuilder builder)
    {
        // Note: pages are anonymous unless they say otherwise (the consent page requires the session).
        builder.Services.AddRazorPages();
        builder.Services.AddAuthentication().AddIdentityCookies();
        builder.Services.TryAddScoped<ISecurityStampValidator, SecurityStampValidator<ApplicationUser>>();
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = context =>
        {
            // Note: a renewed cookie keeps the time of the original sign-in (max_age, auth_time).
            if (context.CurrentPrincipal?.FindFirst(SessionClaims.SignedInAtClaim) is { } signedInAt &&
                context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
            {
                identity.AddClaim(new System.Security.Claims.Claim(signedInAt.Type, signedInAt.Value, signedInAt.ValueType));
            }

            return Task.CompletedTask;
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<TokenServerOptions>>((cookie, server) =>
            {
                cookie.LoginPath = "/account/login";
                cookie.LogoutPath = "/account/logout";
                cookie.AccessDeniedPath = "/account/login";
                cookie.Cookie.Name = SessionCookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = server.Value.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
            });
        return builder;
    }

    /// <summary>Maps the pages and <c>/connect/authorize</c>.</summary>
    public static WebApplication MapInteractiveSignIn(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapAuthorizationEndpoint();
        return app;
    }
}
