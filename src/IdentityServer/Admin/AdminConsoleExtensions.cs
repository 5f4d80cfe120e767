using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>
/// The admin console at <c>/admin</c>: server-rendered pages for administrators signed in on this server's own pages
/// (the dashboard, the users list, a user, a new user), each behind <see cref="AuthorizationPolicies.AdminConsole"/>.
/// </summary>
public static class AdminConsoleExtensions
{
    /// <summary>The console's address.</summary>
    public const string Path = "/admin";

    /// <summary>
    /// Adds the policy (the session cookie of a user with the <c>admin</c> role, checked in the database on each
    /// request), protects every page of this folder with it, answers a signed-in user without the role with 403 (the
    /// anonymous are sent to the sign-in page), and adds the dashboard's counters and health checks.
    /// </summary>
    public static IHostApplicationBuilder AddAdminConsole(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder().AddPolicy(AuthorizationPolicies.AdminConsole, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new AdminConsoleRequirement()));
        // TODO(MFA): when a second factor is required for the admin role, require it here (for example an "amr" claim
        // of the cookie that says the second factor was given); this policy is the console's one access rule.
        builder.Services.AddScoped<IAuthorizationHandler, AdminConsoleAccessHandler>();
        builder.Services.Configure<RazorPagesOptions>(pages => pages.Conventions.AuthorizeFolder("/Admin", AuthorizationPolicies.AdminConsole));
        builder.Services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, cookie =>
        {
            var otherwise = cookie.Events.OnRedirectToAccessDenied;
            cookie.Events.OnRedirectToAccessDenied = context =>
                context.Request.Path.StartsWithSegments(Path) ? ForbiddenAsync(context.HttpContext) : otherwise(context);
        });
        builder.Services.AddSingleton<DashboardMetrics>();
        builder.Services.AddScoped<SystemHealth>();
        return builder;
    }

    /// <summary>
    /// Starts the dashboard's counters with the host, so they count from start-up rather than from the first visit to
    /// the dashboard.
    /// </summary>
    public static WebApplication MapAdminConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<DashboardMetrics>();
        return app;
    }

    private static async Task ForbiddenAsync(HttpContext context)
    {
        // Note: the server's own words only; a signed-in user without the role learns that and how to switch accounts.
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Forbidden · IdentityHost</title></head><body>" +
            "<h1>Forbidden</h1><p id=\"forbidden\">The admin console is for administrators. This account does not have the admin role, " +
            "or this session was not signed in with the second factor the role needs (sign out and in again).</p>" +
            $"<p><a href=\"{RouteNames.LogoutPage}\">Sign out</a> to sign in with another account, or go <a href=\"/\">back to IdentityHost</a>.</p>" +
            "</body></html>");
    }
}
