using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Admin;
using IdentityHost.IdentityServer.Api;
using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Cors;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Hosting;
using IdentityHost.IdentityServer.Keys;
using IdentityHost.IdentityServer.Mail;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Profile;
using IdentityHost.IdentityServer.Recovery;
using IdentityHost.IdentityServer.Resources;
using IdentityHost.IdentityServer.SeedLogin;
using IdentityHost.IdentityServer.Sessions;
using IdentityHost.IdentityServer.SignIn;
using IdentityHost.IdentityServer.Telemetry;
using IdentityHost.IdentityServer.Tokens;
using IdentityHost.IdentityServer.Users;
using Serilog;

Log.Logger = LoggingExtensions.CreateBootstrapLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddIdentityHostLogging();
    builder.AddTelemetry();
    builder.AddGracefulShutdown();
    builder.AddProblemDetailsHandling();
    builder.AddJsonRequests();
    builder.AddHttpHardening();
    builder.AddRateLimits();
    builder.AddIdentityHostDatabase();
    builder.AddSharedDataProtection();
    builder.AddAuditLog();
    builder.AddServerKeys();
    builder.AddApiResources();
    builder.AddMail();
    builder.AddAccounts();
    builder.AddClients();
    builder.AddMfa();
    builder.AddTokenServer();
    builder.AddSessions();
    builder.AddClientCors();
    builder.AddAccountRecovery();
    builder.AddAccountPages();
    builder.AddSeedLogin();
    builder.AddInteractiveSignIn();
    builder.AddUserAdministration();
    builder.AddAdminConsole();
    builder.AddApiAuthorization();
    builder.AddApiDocumentation();
    builder.AddIdentityHostHealthChecks();

    var app = builder.Build();

    app.UseMetricsEndpoint();
    app.UseIdentityHostPipeline();
    app.MapAuthApi();
    app.MapUsersApi();
    app.MapAccountApi();
    app.MapAuditApi();
    app.MapClientsApi();
    app.MapApiDocumentation();
    app.MapTokenEndpoints();
    app.MapInteractiveSignIn();
    app.MapAdminConsole();
    app.MapIdentityHostHealthChecks();

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is not HostAbortedException)
{
    Log.Fatal(exception, "IdentityServer failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point; public so integration tests can host the server.</summary>
public partial class Program;
