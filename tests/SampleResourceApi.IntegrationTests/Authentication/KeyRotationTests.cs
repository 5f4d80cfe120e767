using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

/// <summary>
/// A managed signing key rotation, seen from the resource API, on a clock the test moves: tokens signed before,
/// during and after the rotation are accepted until their own expiry, and a removed key's signature is refused.
/// </summary>
public abstract class KeyRotationTests : IDisposable
{
    private static readonly TimeSpan RotationInterval = TimeSpan.FromDays(90);
    private static readonly TimeSpan PropagationTime = TimeSpan.FromDays(14);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(14) + TimeSpan.FromMinutes(5);

    private readonly IdentityServerFixture _identity;
    private readonly TestClock _clock = new();
    private readonly List<IAsyncDisposable> _hosts = [];

    protected KeyRotationTests(IdentityServerFixture identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Assert.SkipWhen(identity.SkipReason is not null, identity.SkipReason ?? string.Empty);
        _identity = identity;
    }

    [Fact]
    public async Task TokensSignedBeforeDuringAndAfterARotationAreAcceptedUntilTheyExpire()
    {
        var server = _identity.CreateHost(
            new Dictionary<string, string?> { ["ConnectionStrings:IdentityHost"] = await _identity.CreateDatabaseAsync() },
            services: services => services.AddSingleton<TimeProvider>(_clock));
        _hosts.Add(server);
        using var identity = server.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(identity);
        var (earlyApi, _) = CreateApi(server);

        var first = await LoginAsync(identity, userName, password);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(earlyApi, first));

        // The next key is announced; the current one still signs.
        _clock.Advance(RotationInterval - PropagationTime);
        await ServerKeyRefresh.WaitUntilCurrentAsync(_clock, server);
        var announced = await KidsAsync(identity);
        var during = await LoginAsync(identity, userName, password);
        Assert.Equal(2, announced.Length);
        Assert.Equal(new JsonWebToken(first).Kid, new JsonWebToken(during).Kid);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(earlyApi, during));

        // An API that read JWKS after the announcement already knows the next key.
        var (api, backchannel) = CreateApi(server);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, during));
        var fetches = backchannel.Count;

        _clock.Advance(PropagationTime - TimeSpan.FromMinutes(10));
        await ServerKeyRefresh.WaitUntilCurrentAsync(_clock, server);
        var before = await LoginAsync(identity, userName, password);
        _clock.Advance(TimeSpan.FromMinutes(11));
        await ServerKeyRefresh.WaitUntilCurrentAsync(_clock, server);
        var after = await LoginAsync(identity, userName, password);

        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        Assert.Contains(new JsonWebToken(after).Kid, announced);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, after));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, before));
        Assert.Equal(fetches, backchannel.Count);

        // The API that cached JWKS before the announcement re-reads it on the first unknown kid.
        Assert.Equal(HttpStatusCode.OK, await EventuallyAcceptedAsync(earlyApi, after));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(earlyApi, before));

        // Each token until its own expiry (15 minutes), not a moment longer.
        _clock.Advance(TimeSpan.FromMinutes(5));
        using (var expired = await SendAsync(api, before))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.Contains("expired", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, after));

        // Once every token the old key signed has expired, the key is removed: its signature is refused.
        var oldKey = (await StoredServerKeys.FindSigningKeyAsync(server, new JsonWebToken(before).Kid)).Key;
        _clock.Advance(Retention);
        await ServerKeyRefresh.WaitUntilCurrentAsync(_clock, server);
        var current = await LoginAsync(identity, userName, password);
        Assert.DoesNotContain(oldKey.KeyId, await KidsAsync(identity));
        var (lateApi, _) = CreateApi(server);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(lateApi, current));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(lateApi, TokenForge.Resign(current, oldKey)));
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        GC.SuppressFinalize(this);
    }

    private (HttpClient Client, CountingHandler Backchannel) CreateApi(IdentityServerHost server)
    {
        var backchannel = new CountingHandler(server.Server.CreateHandler());
        var api = new ResourceApiHost(IdentityServerFixture.Authority, backchannel, options =>
        {
            // Note: the API judges expiry by the same moved clock as the server that issued the tokens, with
            // the API's own skew and the exceptions its challenge reports.
            options.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                if (notBefore > now + parameters.ClockSkew)
                {
                    throw new SecurityTokenNotYetValidException("The token is not valid yet.");
                }

                return expires >= now - parameters.ClockSkew
                    ? true
                    : throw new SecurityTokenExpiredException("The token has expired.");
            };
            options.RefreshInterval = TimeSpan.FromSeconds(1);
        });
        _hosts.Add(api);
        return (api.CreateClient(), backchannel);
    }

    private static async Task<string> LoginAsync(HttpClient client, string userName, string password)
    {
        var response = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        Assert.False(response.IsError, response.Raw);
        return response.AccessToken!;
    }

    private static async Task<string[]> KidsAsync(HttpClient client)
    {
        var response = await client.GetJsonWebKeySetAsync(
            new Uri(IdentityServerFixture.Authority, ".well-known/jwks").ToString(), TestContext.Current.CancellationToken);
        Assert.False(response.IsError, response.Error);
        return [.. response.KeySet!.Keys.Select(key => key.Kid)];
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient api, string token)
    {
        using var response = await SendAsync(api, token);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> EventuallyAcceptedAsync(HttpClient api, string token)
    {
        // Note: the JWT handler refreshes JWKS in the background after an unknown kid, at most once per second here.
        var status = await StatusAsync(api, token);
        for (var attempt = 0; attempt < 20 && status != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
            status = await StatusAsync(api, token);
        }

        return status;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteKeyRotationTests(SqliteServerFixture identity)
    : KeyRotationTests(identity), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlKeyRotationTests(MySqlServerFixture identity)
    : KeyRotationTests(identity), IClassFixture<MySqlServerFixture>;
