using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Api;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Cors;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Hosting;
using IdentityHost.IdentityServer.Keys;
using IdentityHost.IdentityServer.Resources;
using IdentityHost.IdentityServer.SeedLogin;
using IdentityHost.IdentityServer.SignIn;
using IdentityHost.IdentityServer.Tokens;
using Serilog;

Log.Logger = new LoggerConfiguration()
    .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
    .CreateBootstrapLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddIdentityHostLogging();
    builder.AddGracefulShutdown();
    builder.AddProblemDetailsHandling();
    builder.AddJsonRequests();
    builder.AddHttpHardening();
    builder.AddRateLimits();
    builder.AddIdentityHostDatabase();
    builder.AddSharedDataProtection();
    builder.AddServerKeys();
    builder.AddApiResources();
    builder.AddAccounts();
    builder.AddClients();
    builder.AddTokenServer();
    builder.AddClientCors();
    builder.AddSeedLogin();
    builder.AddInteractiveSignIn();
    builder.AddApiAuthorization();
    builder.AddIdentityHostHealthChecks();

    var app = builder.Build();

    app.UseIdentityHostPipeline();
    app.MapAuthApi();
    app.MapUsersApi();
    app.MapAccountApi();
    app.MapTokenEndpoints();
    app.MapInteractiveSignIn();
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
