using IdentityHost.Samples.WebClient.Pages;
using IdentityHost.Samples.WebClient.ResourceApi;
using IdentityHost.Samples.WebClient.SignIn;

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
