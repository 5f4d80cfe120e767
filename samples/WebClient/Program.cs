using IdentityHost.Samples.WebClient;

var builder = WebApplication.CreateBuilder(args);

builder.AddIdentityHostSignIn();
builder.AddResourceApiClient();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapWebClientPages();

await app.RunAsync();

/// <summary>The entry point; public so browser tests can host the sample.</summary>
public partial class Program;
