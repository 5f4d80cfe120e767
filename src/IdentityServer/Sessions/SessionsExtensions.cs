namespace IdentityHost.IdentityServer.Sessions;

/// <summary>Registers what the account pages know about a user's logins.</summary>
public static class SessionsExtensions
{
    /// <summary>
    /// Adds <see cref="UserSessions"/> and the OpenIddict handler that records each login's client, first and last use,
    /// address and device as tokens are issued (on a refresh, at most one cheap write a minute per login), and the hourly pruning of ended logins' rows.
    /// </summary>
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<UserSessions>();
        builder.Services.AddSingleton<RecentSessionWrites>();
        builder.Services.AddHostedService<SessionPruner>();
        builder.Services.AddOpenIddict().AddServer(server => server.AddEventHandler(SessionRecorder.Descriptor));
        return builder;
    }
}
