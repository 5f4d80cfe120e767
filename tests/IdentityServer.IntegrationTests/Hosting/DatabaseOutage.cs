using System.Diagnostics;
using System.Net;
using IdentityHost.Testing;
using MySql.Data.MySqlClient;

namespace IdentityHost.IdentityServer.IntegrationTests.Hosting;

/// <summary>
/// Runs one outage once, for every test of <see cref="MySqlDatabaseOutageTests"/>: an identity server on a MariaDB
/// server of its own takes registrations, password grants and readiness probes from parallel clients while that
/// server is killed, kept down, and started again; every request is recorded with its timing and answer.
/// </summary>
public sealed class DatabaseOutage : IAsyncLifetime
{
    /// <summary>How long the database stays down.</summary>
    public static readonly TimeSpan Downtime = TimeSpan.FromSeconds(3);

    /// <summary>How long the load may go on after the database is back, waiting for the server to recover.</summary>
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(15);

    private const int Workers = 4;

    private readonly Stopwatch _clock = new();
    private MariaDbServer? _mariaDb;
    private MySqlServerFixture? _fixture;

    /// <summary>Why the scenario could not run (no MariaDB here), or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Every request sent, registrations, password grants and probes alike.</summary>
    public IReadOnlyList<Exchange> Exchanges { get; private set; } = [];

    /// <summary>
    /// Since the scenario began: when the killed database had exited, when it was started again, and when it
    /// accepted connections again.
    /// </summary>
    public TimeSpan DownAt { get; private set; }

    /// <summary>How many registrations were held inside their transaction when the database was killed.</summary>
    public int HeldRegistrations { get; private set; }

    /// <summary>When the kill was sent, with requests waiting on a table lock.</summary>
    public TimeSpan KillAt { get; private set; }

    public TimeSpan RestartAt { get; private set; }

    public TimeSpan UpAt { get; private set; }

    /// <summary>The user rows in the database after the outage, with the roles each has.</summary>
    public IReadOnlyDictionary<string, string[]> StoredUsers { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>How long the preparation (a new MariaDB server, the identity server) and the outage itself took.</summary>
    public TimeSpan SetupTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var setupClock = Stopwatch.StartNew();
        _mariaDb = await MariaDbServer.StartDedicatedAsync();
        if (_mariaDb.UnavailableReason is not null)
        {
            SkipReason = _mariaDb.UnavailableReason;
            return;
        }

        _fixture = new MySqlServerFixture(_mariaDb);
        await _fixture.InitializeAsync();
        using var setup = _fixture.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(setup);

        SetupTime = setupClock.Elapsed;
        var exchanges = new List<Exchange>();
        using var stopLoad = new CancellationTokenSource();
        _clock.Start();
        var load = Enumerable.Range(0, Workers)
            .Select(worker => RunWorkerAsync(worker, userName, password, exchanges, stopLoad.Token))
            .Append(ProbeReadinessAsync(exchanges, stopLoad.Token))
            .ToList();

        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // Note: a lock on the roles table holds registrations inside their transaction, between the user row and
        // the role row (AddToRoleAsync looks the role up first), so the kill cuts them off half-way; it waits
        // until one is held there.
        await using (var locker = new MySqlConnection(Unpooled(_fixture.ConnectionString)))
        {
            await locker.OpenAsync();
            await using var command = locker.CreateCommand();
            command.CommandText = "LOCK TABLES AspNetRoles WRITE";
            await command.ExecuteNonQueryAsync();

            // Note: the workers' password grants also wait on the lock (their role query joins the table), and all
            // of them could be stuck there before any of their registrations arrives; one registration of its own
            // makes sure one is held.
            load.Add(RegisterOnceAsync(exchanges));
            HeldRegistrations = await WaitForHeldRegistrationsAsync(_fixture.ConnectionString, TimeSpan.FromSeconds(20));
            KillAt = _clock.Elapsed;
            await _mariaDb.StopAsync();
        }

        DownAt = _clock.Elapsed;
        await Task.Delay(Downtime);
        RestartAt = _clock.Elapsed;
        await _mariaDb.StartAsync();
        UpAt = _clock.Elapsed;

        // Note: the load goes on until every kind of request has succeeded again after the restart (or the limit).
        while (_clock.Elapsed < UpAt + RecoveryLimit && !RecoveredKinds(exchanges).All(kind => kind.Value))
        {
            await Task.Delay(100);
        }

        // Note: a little more load after recovery, so a late relapse (a dead pooled connection) would show.
        await Task.Delay(500);
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        Exchanges = exchanges;
        StoredUsers = await ReadUsersAsync(_fixture.ConnectionString);
    }

    /// <summary>Seconds from the database's return until the first success of <paramref name="kind"/> was answered.</summary>
    public double? FirstSuccessSeconds(RequestKind kind) =>
        Exchanges.Where(exchange => exchange.Kind == kind && exchange.StartedAt >= UpAt && exchange.Succeeded)
            .Select(exchange => (double?)(exchange.EndedAt - UpAt).TotalSeconds).Min();

    /// <summary>
    /// Seconds from the database's return until the last kind of request (registration, password grant,
    /// readiness) first succeeded again, or null if one never did within <see cref="RecoveryLimit"/>.
    /// </summary>
    public double? RecoverySeconds()
    {
        var firsts = Enum.GetValues<RequestKind>()
            .Select(kind => Exchanges.Where(exchange => exchange.Kind == kind && exchange.StartedAt >= UpAt && exchange.Succeeded)
                .Select(exchange => (TimeSpan?)exchange.EndedAt).Min())
            .ToList();
        return firsts.Any(first => first is null) ? null : (firsts.Max()!.Value - UpAt).TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        if (_mariaDb is not null)
        {
            await _mariaDb.DisposeAsync();
        }
    }

    private Dictionary<RequestKind, bool> RecoveredKinds(List<Exchange> exchanges)
    {
        lock (exchanges)
        {
            return Enum.GetValues<RequestKind>().ToDictionary(
                kind => kind,
                kind => exchanges.Any(exchange => exchange.Kind == kind && exchange.StartedAt >= UpAt && exchange.Succeeded));
        }
    }

    private async Task RunWorkerAsync(int worker, string userName, string password, List<Exchange> exchanges, CancellationToken stop)
    {
        using var client = _fixture!.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            var started = _clock.Elapsed;
            var registering = (round + worker) % 2 == 0;
            try
            {
                if (registering)
                {
                    await RegisterAsync(client, started, exchanges);
                }
                else
                {
                    var token = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
                    Record(exchanges, new Exchange(
                        RequestKind.PasswordGrant, userName, started, _clock.Elapsed, token.HttpStatusCode,
                        token.HttpResponse?.Headers.RetryAfter?.ToString(), token.HttpResponse?.Content.Headers.ContentType?.MediaType,
                        token.Raw ?? token.Exception?.ToString() ?? string.Empty));
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                Record(exchanges, Exchange.Unanswered(
                    registering ? RequestKind.Registration : RequestKind.PasswordGrant, started, _clock.Elapsed, exception));
            }
        }
    }

    private async Task RegisterAsync(HttpClient client, TimeSpan started, List<Exchange> exchanges)
    {
        var newUser = IdentityServerFixture.NewUserName();
        using var response = await IdentityServerFixture.RegisterAsync(client, newUser, IdentityServerFixture.NewPassword());
        Record(exchanges, await Exchange.ReadAsync(RequestKind.Registration, newUser, started, _clock.Elapsed, response));
    }

    private async Task RegisterOnceAsync(List<Exchange> exchanges)
    {
        using var client = _fixture!.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        var started = _clock.Elapsed;
        try
        {
            await RegisterAsync(client, started, exchanges);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            Record(exchanges, Exchange.Unanswered(RequestKind.Registration, started, _clock.Elapsed, exception));
        }
    }

    private async Task ProbeReadinessAsync(List<Exchange> exchanges, CancellationToken stop)
    {
        using var client = _fixture!.CreateClient();
        while (!stop.IsCancellationRequested)
        {
            var started = _clock.Elapsed;
            using var response = await client.GetAsync("/health/ready", CancellationToken.None);
            Record(exchanges, await Exchange.ReadAsync(RequestKind.Readiness, null, started, _clock.Elapsed, response));
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static void Record(List<Exchange> exchanges, Exchange exchange)
    {
        lock (exchanges)
        {
            exchanges.Add(exchange);
        }
    }

    private static async Task<Dictionary<string, string[]>> ReadUsersAsync(string connectionString)
    {
        // Note: unpooled and read straight from the tables, so what is counted is what was committed.
        await using var connection = new MySqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT u.UserName, r.Name FROM AspNetUsers u " +
            "LEFT JOIN AspNetUserRoles ur ON ur.UserId = u.Id LEFT JOIN AspNetRoles r ON r.Id = ur.RoleId";
        var users = new Dictionary<string, List<string>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var roles = users.TryGetValue(reader.GetString(0), out var list) ? list : users[reader.GetString(0)] = [];
            if (!reader.IsDBNull(1))
            {
                roles.Add(reader.GetString(1));
            }
        }

        return users.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray());
    }

    private static async Task<int> WaitForHeldRegistrationsAsync(string connectionString, TimeSpan limit)
    {
        // Note: the registration's role look-up is by normalized name; the password grant's role query is not.
        await using var connection = new MySqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%' " +
            "AND INFO LIKE '%FROM `AspNetRoles`%NormalizedName%'";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var held = Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            if (held > 0 || deadline.Elapsed > limit)
            {
                return held;
            }

            await Task.Delay(50);
        }
    }

    private static string Unpooled(string connectionString) =>
        new MySqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public enum RequestKind
    {
        Registration,
        PasswordGrant,
        Readiness,
    }

    /// <summary>One request and its answer; times are since the scenario began.</summary>
    public sealed record Exchange(
        RequestKind Kind,
        string? UserName,
        TimeSpan StartedAt,
        TimeSpan EndedAt,
        HttpStatusCode Status,
        string? RetryAfter,
        string? MediaType,
        string Body)
    {
        public bool Succeeded => Status is HttpStatusCode.OK or HttpStatusCode.Created;

        public TimeSpan Duration => EndedAt - StartedAt;

        public static async Task<Exchange> ReadAsync(
            RequestKind kind, string? userName, TimeSpan started, TimeSpan ended, HttpResponseMessage response) =>
            new(kind, userName, started, ended, response.StatusCode, response.Headers.RetryAfter?.ToString(),
                response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());

        /// <summary>A request the server never answered. Note: status 0, which no test accepts: the server must always answer.</summary>
        public static Exchange Unanswered(RequestKind kind, TimeSpan started, TimeSpan ended, Exception exception) =>
            new(kind, null, started, ended, 0, null, null, exception.ToString());

        public override string ToString() =>
            $"{Kind} {StartedAt.TotalSeconds:F2}s-{EndedAt.TotalSeconds:F2}s {(int)Status} {Body[..Math.Min(Body.Length, 300)]}";
    }
}
