using System.Net.Http.Json;
using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.Testing;

/// <summary>
/// One identity server on one fresh database (a temporary SQLite file, or a new database on the shared
/// MariaDB server), with an administrator bootstrapped from configuration. The server manages its keys in
/// that database.
/// </summary>
public abstract class IdentityServerFixture : IAsyncLifetime
{
    /// <summary>The public client Development seeds for the password grant (and the legacy login).</summary>
    public const string ClientId = "postman";

    /// <summary>Every scope a user's token may have, but the administration scope.</summary>
    public const string AllScopes = "openid profile roles offline_access api";

    /// <summary>The scopes of an administrator's token for the administration APIs.</summary>
    public const string AdminScopes = AllScopes + " admin";

    /// <summary>The base address of the in-memory server, which is also the issuer.</summary>
    public static readonly Uri Authority = new("http://localhost/");

    private readonly MariaDbServer? _mariaDb;
    private readonly List<string> _extraDatabases = [];
    private IdentityServerHost? _host;

    protected IdentityServerFixture(DatabaseKind database, MariaDbServer? mariaDb)
    {
        Database = database;
        _mariaDb = mariaDb;
    }

    public DatabaseKind Database { get; }

    /// <summary>Why this fixture's tests cannot run (no MySQL server here), or null.</summary>
    public string? SkipReason => Database == DatabaseKind.MySql ? _mariaDb?.UnavailableReason : null;

    /// <summary>A temporary directory holding the SQLite file (and any key files a test writes).</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("identityhost-test-").FullName;

    public string ConnectionString { get; private set; } = string.Empty;

    public string AdminUserName { get; } = "admin-" + Guid.NewGuid().ToString("N")[..8];

    public string AdminPassword { get; } = NewPassword();

    /// <summary>A confidential client allowed only client_credentials and the <c>api</c> scope.</summary>
    public const string MachineClientId = "machine";

    /// <summary>A public client allowed only the password grant and the <c>openid api</c> scopes.</summary>
    public const string LimitedClientId = "limited";

    public string MachineClientSecret { get; } = NewPassword();

    /// <summary>
    /// The resource API as a confidential client: it may introspect the access tokens meant for it (their
    /// audience), as OpenIddict lets a client introspect only tokens it is an audience or presenter of.
    /// </summary>
    public const string ResourceClientId = "resource_api";

    public string ResourceClientSecret { get; } = NewPassword();

    /// <summary>A confidential first-party web application: authorization_code (PKCE) and refresh_token, no consent.</summary>
    public const string WebAppClientId = "webapp";

    public const string WebAppRedirectUri = "https://webapp.example/signin-oidc";

    public const string WebAppPostLogoutRedirectUri = "https://webapp.example/signed-out";

    public string WebAppClientSecret { get; } = NewPassword();

    /// <summary>A public third-party application: authorization_code (PKCE) only, after the user's consent.</summary>
    public const string ThirdPartyClientId = "thirdparty";

    public const string ThirdPartyRedirectUri = "https://thirdparty.example/callback";

    /// <summary>A public client for devices without a browser (RFC 8628 device authorization grant).</summary>
    public const string DeviceClientId = "tv";

    /// <summary>A public code-flow client that must push its authorization requests first (RFC 9126).</summary>
    public const string ParOnlyClientId = "par-only";

    public const string ParOnlyRedirectUri = "https://par.example/callback";

    /// <summary>A confidential client that authenticates with private_key_jwt (RFC 7523), its public key configured inline.</summary>
    public const string SignerClientId = "signer";

    /// <summary>The signer client's private key (RS256), which only the client would hold.</summary>
    public Microsoft.IdentityModel.Tokens.RsaSecurityKey SignerKey { get; } = new(RSA.Create(2048)) { KeyId = "signer-key-1" };

    /// <summary>An API reached only by resource indicator or token exchange (no scope grants it).</summary>
    public const string OrdersApi = "orders_api";

    public const string OrdersApiUri = "https://orders.example/";

    /// <summary>The RFC 8707 resource URI of the built-in API (<c>resource_api</c>, behind the <c>api</c> scope).</summary>
    public const string ResourceApiUri = "https://api.example/";

    public IdentityServerHost Host => _host ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>
    /// The clock of the fixture's servers (every host from <see cref="CreateHost"/> uses it unless the test hands in
    /// its own), so a test moves time forward instead of sleeping; it runs on with real time otherwise.
    /// </summary>
    public TestClock Clock { get; } = new();

    /// <summary>The SMTP server the fixture's servers send their mail to; tests read the mails there.</summary>
    public SmtpCatcher Mail { get; } = new();

    /// <summary>Extra configuration for this fixture's server, on top of the database, keys and admin.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    public virtual async ValueTask InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        ConnectionString = Database == DatabaseKind.MySql
            ? await _mariaDb!.CreateDatabaseAsync("identityhost_test")
            : $"Data Source={Path.Combine(Directory, "identityhost.db")}";
        _host = CreateHost();

        // Note: creating a client starts the server, which migrates and seeds before it answers. If it does not start,
        // the reason is in its log, which the exception (a disposed service provider, often) does not tell.
        try
        {
            _host.CreateClient().Dispose();
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(
                "The identity server did not start; its log ends:\n" + string.Join('\n', _host.Logs.Lines.TakeLast(15)), exception);
        }
    }

    /// <summary>A new server on this fixture's database and keys (e.g. to prove state survives a restart).</summary>
    /// <summary>
    /// The PBKDF2 iterations test hosts hash passwords with, unless a test asks for the server's own cost: the same
    /// hashing code at a hundredth of the default 100,000, since the suite registers and signs in users by the
    /// thousand. Note: the timing tests and the hash-cost tests run at the real cost (<c>realPasswordHashing</c>, or
    /// an explicit <c>Accounts:PasswordHashIterations</c>), as do the tests that start the built server as a process.
    /// </summary>
    public const int TestPasswordHashIterations = 1_000;

    public IdentityServerHost CreateHost(
        IEnumerable<KeyValuePair<string, string?>>? overrides = null,
        string environment = "Development",
        Action<IServiceCollection>? services = null,
        bool realPasswordHashing = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Database.ToString(),
            ["ConnectionStrings:IdentityHost"] = ConnectionString,
            ["Bootstrap:Admin:Username"] = AdminUserName,
            ["Bootstrap:Admin:Password"] = AdminPassword,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["OpenIddict:Clients:5:ClientId"] = MachineClientId,
            ["OpenIddict:Clients:5:ClientSecret"] = MachineClientSecret,
            ["OpenIddict:Clients:5:GrantTypes:0"] = "client_credentials",
            ["OpenIddict:Clients:5:Scopes:0"] = "api",
            ["OpenIddict:Clients:6:ClientId"] = LimitedClientId,
            ["OpenIddict:Clients:6:GrantTypes:0"] = "password",
            ["OpenIddict:Clients:6:Scopes:0"] = "openid",
            ["OpenIddict:Clients:6:Scopes:1"] = "api",
            ["OpenIddict:Clients:7:ClientId"] = ResourceClientId,
            ["OpenIddict:Clients:7:ClientSecret"] = ResourceClientSecret,
            // Note: the resource API may exchange the users' tokens it receives for tokens to the orders API (RFC 8693).
            ["OpenIddict:Clients:7:GrantTypes:0"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["OpenIddict:Clients:7:Scopes:0"] = "openid",
            ["OpenIddict:Clients:7:Scopes:1"] = "profile",
            ["OpenIddict:Clients:7:Scopes:2"] = "api",
            ["OpenIddict:Clients:7:TokenExchangeAudiences:0"] = OrdersApi,
            ["OpenIddict:Clients:8:ClientId"] = WebAppClientId,
            ["OpenIddict:Clients:8:ClientSecret"] = WebAppClientSecret,
            ["OpenIddict:Clients:8:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:8:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:8:RedirectUris:0"] = WebAppRedirectUri,
            ["OpenIddict:Clients:8:PostLogoutRedirectUris:0"] = WebAppPostLogoutRedirectUri,
            ["OpenIddict:Clients:8:Scopes:0"] = "openid",
            ["OpenIddict:Clients:9:Scopes:0"] = "openid",
            ["OpenIddict:Clients:8:Scopes:1"] = "profile",
            ["OpenIddict:Clients:9:Scopes:1"] = "profile",
            ["OpenIddict:Clients:8:Scopes:2"] = "roles",
            ["OpenIddict:Clients:9:Scopes:2"] = "roles",
            ["OpenIddict:Clients:8:Scopes:3"] = "offline_access",
            ["OpenIddict:Clients:9:Scopes:3"] = "offline_access",
            ["OpenIddict:Clients:8:Scopes:4"] = "api",
            ["OpenIddict:Clients:9:Scopes:4"] = "api",
            ["OpenIddict:Clients:9:ClientId"] = ThirdPartyClientId,
            ["OpenIddict:Clients:9:DisplayName"] = "Third Party App",
            ["OpenIddict:Clients:9:ThirdParty"] = "true",
            ["OpenIddict:Clients:9:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:9:RedirectUris:0"] = ThirdPartyRedirectUri,
            ["OpenIddict:Clients:10:ClientId"] = DeviceClientId,
            ["OpenIddict:Clients:10:GrantTypes:0"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["OpenIddict:Clients:10:GrantTypes:1"] = "refresh_token",
            ["OpenIddict:Clients:10:Scopes:0"] = "openid",
            ["OpenIddict:Clients:10:Scopes:1"] = "profile",
            ["OpenIddict:Clients:10:Scopes:2"] = "offline_access",
            ["OpenIddict:Clients:10:Scopes:3"] = "api",
            ["OpenIddict:Clients:12:ClientId"] = ParOnlyClientId,
            ["OpenIddict:Clients:12:GrantTypes:0"] = "authorization_code",
            ["OpenIddict:Clients:12:RedirectUris:0"] = ParOnlyRedirectUri,
            ["OpenIddict:Clients:12:Scopes:0"] = "openid",
            ["OpenIddict:Clients:12:Scopes:1"] = "api",
            ["OpenIddict:Clients:12:RequirePushedAuthorizationRequests"] = "true",
            ["OpenIddict:Clients:13:ClientId"] = SignerClientId,
            ["OpenIddict:Clients:13:Jwks"] = PublicKeySet(SignerKey),
            ["OpenIddict:Clients:13:GrantTypes:0"] = "client_credentials",
            ["OpenIddict:Clients:13:Scopes:0"] = "api",
            ["OpenIddict:Apis:0:Name"] = "resource_api",
            ["OpenIddict:Apis:0:Uri"] = ResourceApiUri,
            ["OpenIddict:Apis:0:Scopes:0"] = "api",
            ["OpenIddict:Apis:1:Name"] = OrdersApi,
            ["OpenIddict:Apis:1:Uri"] = OrdersApiUri,
            // Note: every test request comes from one address; the rate-limit tests set their own limits.
            ["RateLimiting:CredentialsPerMinute"] = "1000000",
            ["RateLimiting:TokenRequestsPerMinute"] = "1000000",
            ["RateLimiting:RegistrationsPerMinute"] = "1000000",
            ["RateLimiting:RecoveryRequestsPerMinute"] = "1000000",
            // Note: the bootstrapped administrator signs in with the password grant alone throughout the suite; the MFA tests
            // turn the default (administrators must have a second factor) back on where they test it.
            ["Accounts:Mfa:RequiredForRoles"] = "",
            // Note: short, so the reuse tests can wait past it.
            ["OpenIddict:RefreshTokenReuseLeeway"] = "00:00:01",
        };
        foreach (var (key, value) in Mail.Settings.Concat(ExtraSettings).Concat(overrides ?? []))
        {
            settings[key] = value;
        }

        var cheapHashing = !realPasswordHashing && !settings.ContainsKey("Accounts:PasswordHashIterations");
        return new IdentityServerHost(settings, environment, collection =>
        {
            collection.AddSingleton<TimeProvider>(Clock);
            if (cheapHashing)
            {
                collection.PostConfigure<PasswordHasherOptions>(hasher => hasher.IterationCount = TestPasswordHashIterations);
            }

            services?.Invoke(collection);
        });
    }

    public HttpClient CreateClient() => Host.CreateClient();

    /// <summary>
    /// A new, empty database of this fixture's kind, dropped with the fixture: for a test whose servers must
    /// not share state (keys, clock) with the fixture's own server. Pass it as <c>ConnectionStrings:IdentityHost</c>.
    /// </summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var connectionString = Database == DatabaseKind.MySql
            ? await _mariaDb!.CreateDatabaseAsync("identityhost_extra")
            : $"Data Source={Path.Combine(Directory, $"extra-{Guid.NewGuid():N}.db")}";
        lock (_extraDatabases)
        {
            _extraDatabases.Add(connectionString);
        }

        return connectionString;
    }

    /// <summary>Registers a user through the public endpoint.</summary>
    public static async Task<HttpResponseMessage> RegisterAsync(
        HttpClient client, string userName, string password, string? role = null, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
        {
            Content = JsonContent.Create(role is null
                ? new Dictionary<string, string> { ["username"] = userName, ["password"] = password }
                : new Dictionary<string, string> { ["username"] = userName, ["password"] = password, ["role"] = role }),
        };
        if (bearerToken is not null)
        {
            request.SetBearerToken(bearerToken);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Registers a fresh user and returns its credentials; fails the test if registration fails.</summary>
    public static async Task<(string UserName, string Password)> CreateUserAsync(HttpClient client, string? role = null, string? bearerToken = null)
    {
        var userName = NewUserName();
        var password = NewPassword();
        using var response = await RegisterAsync(client, userName, password, role, bearerToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"Registering {userName} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (userName, password);
    }

    /// <summary>The password grant, as a client library sends it.</summary>
    public static Task<TokenResponse> RequestPasswordTokenAsync(
        HttpClient client, string userName, string password, string scope = AllScopes) =>
        client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = new Uri(Authority, "connect/token").ToString(),
            ClientId = ClientId,
            UserName = userName,
            Password = password,
            Scope = scope,
        });

    /// <summary>The refresh_token grant, as a client library sends it.</summary>
    public static Task<TokenResponse> RefreshAsync(HttpClient client, string refreshToken, string? scope = null) =>
        client.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = new Uri(Authority, "connect/token").ToString(),
            ClientId = ClientId,
            RefreshToken = refreshToken,
            Scope = scope,
        });

    /// <summary>Revokes a token at the revocation endpoint, as the public client.</summary>
    public static Task<TokenRevocationResponse> RevokeAsync(HttpClient client, string token) =>
        client.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = new Uri(Authority, "connect/revoke").ToString(),
            ClientId = ClientId,
            Token = token,
        });

    /// <summary>The client_credentials grant for the machine client.</summary>
    public Task<TokenResponse> RequestMachineTokenAsync(HttpClient client, string? secret = null) =>
        client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(Authority, "connect/token").ToString(),
            ClientId = MachineClientId,
            ClientSecret = secret ?? MachineClientSecret,
            Scope = "api",
        });

    /// <summary>An access token for a fresh user (or for the bootstrapped admin).</summary>
    public async Task<string> GetAccessTokenAsync(HttpClient client, bool admin = false)
    {
        var (userName, password) = admin ? (AdminUserName, AdminPassword) : await CreateUserAsync(client);
        var token = await RequestPasswordTokenAsync(client, userName, password, admin ? AdminScopes : AllScopes);
        return token.IsError
            ? throw new InvalidOperationException($"The password grant failed: {token.Error} {token.ErrorDescription}")
            : token.AccessToken!;
    }

    /// <summary>The public half of <paramref name="key"/> as a JSON Web Key Set, as a client would publish it.</summary>
    public static string PublicKeySet(Microsoft.IdentityModel.Tokens.RsaSecurityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["keys"] = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["kid"] = key.KeyId,
                    ["alg"] = "RS256",
                    ["n"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Exponent),
                },
            },
        });
    }

    /// <summary>An access token (all scopes) for <paramref name="user"/>.</summary>
    public static async Task<string> GetAccessTokenForAsync(HttpClient client, RegisteredUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var token = await RequestPasswordTokenAsync(client, user.UserName, user.Password);
        return token.IsError
            ? throw new InvalidOperationException($"The password grant failed: {token.Error} {token.ErrorDescription}")
            : token.AccessToken!;
    }

    public static string NewUserName() => "user-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A fresh address at a domain no real mail goes to.</summary>
    public static string NewEmail() => "someone-" + Guid.NewGuid().ToString("N")[..12] + "@mail.test.example";

    /// <summary>Sends <paramref name="body"/> as JSON with <paramref name="method"/>, with a bearer token if given.</summary>
    public static async Task<HttpResponseMessage> SendJsonAsync(
        HttpClient client, HttpMethod method, string path, object? body, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (bearerToken is not null)
        {
            request.SetBearerToken(bearerToken);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Registers a fresh user with an address (not verified yet); fails the test if registration fails.</summary>
    public static async Task<RegisteredUser> CreateUserWithEmailAsync(HttpClient client, string? email = null)
    {
        var (userName, password, address) = (NewUserName(), NewPassword(), email ?? NewEmail());
        using var response = await SendJsonAsync(client, HttpMethod.Post, "/api/auth/register",
            new Dictionary<string, string> { ["username"] = userName, ["password"] = password, ["email"] = address });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Registering {userName} answered {(int)response.StatusCode}: {text}");
        }

        var id = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        return new RegisteredUser(id, userName, password, address);
    }

    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    public virtual async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await Mail.DisposeAsync();

        if (Database == DatabaseKind.MySql && _mariaDb is not null && ConnectionString.Length > 0)
        {
            foreach (var database in _extraDatabases.Append(ConnectionString))
            {
                await _mariaDb.DropDatabaseAsync(database);
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Note: SQLite may still hold the WAL file for a moment; the OS cleans temp directories.
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A user a test registered, with the address it gave.</summary>
public sealed record RegisteredUser(string Id, string UserName, string Password, string Email);

/// <summary>An identity server on a temporary SQLite file.</summary>
public class SqliteServerFixture() : IdentityServerFixture(DatabaseKind.Sqlite, mariaDb: null);

/// <summary>An identity server on a fresh database of the shared MariaDB server.</summary>
public class MySqlServerFixture(MariaDbServer mariaDb) : IdentityServerFixture(DatabaseKind.MySql, mariaDb);
