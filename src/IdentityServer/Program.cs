using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Hosting;
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
    builder.AddHttpHardening();
    builder.AddIdentityHostRateLimiting();
    builder.AddIdentityHostDatabase();
    builder.AddAccounts();
    builder.AddClients();
    builder.AddTokenServer();
    builder.AddInteractiveSignIn();
    builder.AddIdentityHostHealthChecks();

    var app = builder.Build();

    app.UseIdentityHostPipeline();
    app.MapAccountsApi();
    app.MapAccountManagementApi();
    app.MapTokenEndpoint();
    app.MapSessionEndpoints();
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
