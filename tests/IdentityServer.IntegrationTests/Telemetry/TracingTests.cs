using System.Diagnostics;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace IdentityHost.IdentityServer.IntegrationTests.Telemetry;

/// <summary>With tracing on, a request is one trace: ASP.NET Core's server span with the database commands inside it.</summary>
public abstract class TracingTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task TokenRequestIsTracedWithItsDatabaseSpans()
    {
        var spans = new List<Activity>();
        await using var host = Fixture.CreateHost(
            [new("Telemetry:Tracing", "true")],
            services: collection => collection.ConfigureOpenTelemetryTracerProvider(traces => traces.AddInMemoryExporter(spans)));
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);

        // Note: span listeners hear every host in the process; this request's trace, begun by the caller, is ours alone.
        var traceId = ActivityTraceId.CreateRandom();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        Assert.False(tokens.IsError, tokens.Raw);

        var trace = await TraceAsync(host.Services.GetRequiredService<TracerProvider>(), spans, traceId);

        var request = Assert.Single(trace, span => span.Kind == ActivityKind.Server);
        Assert.Equal("/connect/token", request.GetTagItem("http.route"));
        var database = trace.Where(span => span.Kind == ActivityKind.Client &&
            (span.GetTagItem("db.system") ?? span.GetTagItem("db.system.name")) is not null).ToList();
        Assert.NotEmpty(database);
        Assert.All(database, span => Assert.True(span.StartTimeUtc >= request.StartTimeUtc && span.StartTimeUtc + span.Duration <= request.StartTimeUtc + request.Duration));
        Assert.Contains(database, span => (span.GetTagItem("db.query.text") ?? span.GetTagItem("db.statement") ?? span.DisplayName)
            .ToString()!.Contains("AspNetUsers", StringComparison.Ordinal));
        Assert.DoesNotContain(trace, span => span.Tags.Any(tag => tag.Value?.Contains(password, StringComparison.Ordinal) == true));
    }

    /// <summary>
    /// The spans of <paramref name="traceId"/> once its server span has ended: that span ends after the response has
    /// reached the client, so it may be a moment behind it.
    /// </summary>
    private static async Task<List<Activity>> TraceAsync(TracerProvider provider, List<Activity> spans, ActivityTraceId traceId)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(provider.ForceFlush());
            List<Activity> trace;
            lock (spans)
            {
                trace = [.. spans.Where(span => span.TraceId == traceId)];
            }

            if (trace.Any(span => span.Kind == ActivityKind.Server) || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                return trace;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task NothingIsTracedByDefault()
    {
        await using var host = Fixture.CreateHost();

        Assert.Null(host.Services.GetService<TracerProvider>());
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteTracingTests(SqliteServerFixture fixture) : TracingTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MySQL (MariaDB).</summary>
public sealed class MySqlTracingTests(MySqlServerFixture fixture) : TracingTests(fixture), IClassFixture<MySqlServerFixture>;
