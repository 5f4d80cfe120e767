using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// Interactive sign-in: the server's pages (sign-in, registration, consent, sign-out), its session cookie, and the
/// endpoints a browser is sent to (authorization and end-session).
/// </summary>
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
        // Note: pages are anonymous unless they say otherwise (the consent page requires the session). They live in the
        // folder of their feature, each with its route in its @page directive, so the pages' root is the project's;
        // the layout is Common/_Layout.cshtml.
        builder.Services.AddRazorPages(pages => pages.RootDirectory = "/");
        builder.Services.AddAuthentication().AddIdentityCookies();
        builder.Services.AddAuthentication().AddCookie(PendingSignIn.Scheme);
        builder.Services.AddOptions<CookieAuthenticationOptions>(PendingSignIn.Scheme)
            .Configure<IOptions<TokenServerOptions>>((cookie, server) =>
            {
                cookie.Cookie.Name = PendingSignIn.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = server.Value.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = PendingSignIn.Lifetime;
                cookie.SlidingExpiration = false;
            });
        builder.Services.AddOpenIddict().AddServer(server => server.AddEventHandler(AuthorizationErrorRedirect.Descriptor));
        builder.Services.TryAddScoped<ISecurityStampValidator, SecurityStampValidator<ApplicationUser>>();
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = context =>
        {
            // Note: a renewed cookie keeps the time of the original sign-in (max_age, auth_time).
            if (context.CurrentPrincipal?.FindFirst(ClaimNames.AuthenticationTime) is { } signedInAt &&
                context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
            {
                identity.AddClaim(new System.Security.Claims.Claim(signedInAt.Type, signedInAt.Value, signedInAt.ValueType));
            }

            // Note: and how the user signed in; Identity itself carries over only the first amr value.
            if (context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity renewed)
            {
                foreach (var method in SessionClaims.MethodsOf(context.CurrentPrincipal).Except(SessionClaims.MethodsOf(context.NewPrincipal), StringComparer.Ordinal))
                {
                    renewed.AddClaim(new System.Security.Claims.Claim(ClaimNames.AuthenticationMethods, method));
                }
            }

            return Task.CompletedTask;
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<TokenServerOptions>>((cookie, server) =>
            {
                cookie.LoginPath = RouteNames.LoginPage;
                cookie.LogoutPath = RouteNames.LogoutPage;
                cookie.AccessDeniedPath = RouteNames.LoginPage;
                cookie.Cookie.Name = SessionCookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = server.Value.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
            });
        return builder;
    }

    /// <summary>Maps the pages, <c>GET/POST /connect/authorize</c> and <c>GET/POST /connect/endsession</c>.</summary>
    public static WebApplication MapInteractiveSignIn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapRazorPages();
        app.MapMethods(RouteNames.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizationEndpoint.AuthorizeAsync)
            .ExcludeFromDescription();
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionEndpoint.EndSessionAsync)
            .ExcludeFromDescription();
        return app;
    }
}
