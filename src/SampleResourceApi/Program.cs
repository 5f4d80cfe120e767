using IdentityHost.SampleResourceApi.Authentication;
using IdentityHost.SampleResourceApi.Greetings;
using IdentityHost.SampleResourceApi.Hosting;
using Serilog;

Log.Logger = new LoggerConfiguration()
    .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
    .CreateBootstrapLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddResourceApiHosting();
    builder.AddResourceApiAuthentication();
    builder.Services.AddOpenApi();

    var app = builder.Build();

    app.UseResourceApiPipeline();
    app.MapGreetingsApi();
    app.MapProtectedResourceMetadata();
    app.MapResourceApiHealthChecks();
    app.MapOpenApi("/openapi/v1.json");

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is not HostAbortedException)
{
    Log.Fatal(exception, "SampleResourceApi failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point; public so integration tests can host the API.</summary>
public partial class Program;
