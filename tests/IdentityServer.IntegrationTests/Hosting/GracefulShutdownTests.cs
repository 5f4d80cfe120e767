using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// SIGTERM to the real server process while registrations are in flight (each one a password hash and a
/// database write, so a burst of them keeps the server busy for a moment).
/// </summary>
public sealed class GracefulShutdownTests
{
    private const int Requests = 16;

    private const string RequestStarted = "Request starting HTTP/1.1 POST";

    private const string RequestFinished = "Request finished HTTP/1.1 POST";

    [Fact]
    public async Task FinishesEveryInFlightRequestAndExitsWithZeroOnSigterm()
    {
        await using var server = await IdentityServerProcess.StartAsync(Settings(shutdownTimeout: null));

        var (inFlight, answers) = await RegisterAndTerminateAsync(server);
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.True(inFlight >= Requests / 4, $"Only {inFlight} of {Requests} requests were in flight at SIGTERM.");
        Assert.All(answers, answer =>
        {
            Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
            Assert.Equal(answer.UserName, JsonDocument.Parse(answer.Body).RootElement.GetProperty("username").GetString());
        });
        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CutsInFlightRequestsOffOnceTheShutdownTimeoutHasPassed()
    {
        await using var server = await IdentityServerProcess.StartAsync(Settings(shutdownTimeout: "00:00:00"));

        var (inFlight, answers) = await RegisterAndTerminateAsync(server);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(40));

        // Note: the counterpart of the test above: with no time to finish, requests in flight are cut off, which
        // shows Hosting:ShutdownTimeout is what let them finish there.
        Assert.True(inFlight >= Requests / 4, $"Only {inFlight} of {Requests} requests were in flight at SIGTERM.");
        Assert.Contains(answers, answer => answer.Status != HttpStatusCode.Created);
    }

    private static Dictionary<string, string> Settings(string? shutdownTimeout)
    {
        var settings = new Dictionary<string, string>
        {
            // Note: enough thread-pool threads from the start that every registration is taken up at once, as on a
            // larger machine; on 2 cores the pool would otherwise start them a few at a time. (A runtime knob of
            // this test's process only, hexadecimal: 0x20 threads.)
            ["DOTNET_ThreadPool_ForceMinWorkerThreads"] = "20",
            ["RateLimiting:RegistrationsPerMinute"] = "1000000",
            // Note: the hosting layer logs each request's start and end, which tells the test when all have arrived.
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        };
        if (shutdownTimeout is not null)
        {
            settings["Hosting:ShutdownTimeout"] = shutdownTimeout;
        }

        return settings;
    }

    /// <summary>
    /// Sends <see cref="Requests"/> registrations at once, sends SIGTERM as soon as the server has received every one,
    /// and returns how many had not finished then, and every answer.
    /// </summary>
    private static async Task<(int InFlight, Answer[] Answers)> RegisterAndTerminateAsync(IdentityServerProcess server)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var registrations = Enumerable.Range(0, Requests)
            .Select(_ => RegisterAsync(client, IdentityServerFixture.NewUserName()))
            .ToList();

        await server.WaitForLinesAsync(RequestStarted, Requests, TimeSpan.FromSeconds(20));
        var inFlight = Requests - server.CountLines(RequestFinished);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await server.TerminateAsync();
        var answers = await Task.WhenAll(registrations);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{inFlight} of {Requests} registrations in flight at SIGTERM; the last answered {clock.Elapsed.TotalSeconds:F2} s after it.");
        return (inFlight, answers);
    }

    private static async Task<Answer> RegisterAsync(HttpClient client, string userName)
    {
        try
        {
            using var response = await client.PostAsJsonAsync(
                "/api/auth/register",
                new Dictionary<string, string> { ["username"] = userName, ["password"] = IdentityServerFixture.NewPassword() });
            return new Answer(userName, response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException exception)
        {
            // Note: a connection closed before the whole answer arrived; status 0 is never a success.
            return new Answer(userName, 0, exception.Message);
        }
    }

    private sealed record Answer(string UserName, HttpStatusCode Status, string Body);
}
