using System.Net;
using System.Net.Http.Headers;
using IdentityHost.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityHost.SampleResourceApi.IntegrationTests.Authentication;

/// <summary>The resource API picks up a new signing key without a restart.</summary>
public sealed class KeyRolloverTests(SqliteServerFixture identity) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task ApiAcceptsTokensSignedWithANewKeyAfterRereadingJwks()
    {
        // Note: a second server with the same issuer on a database of its own, so with keys of its own: the
        // server as the API sees it after an unannounced key change (e.g. a restored backup or a new key file).
        await using var rotated = identity.CreateHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IdentityHost"] = $"Data Source={Path.Combine(identity.Directory, "rotated.db")}",
        });
        using var before = identity.CreateClient();
        using var after = rotated.CreateClient();
        using var route = new SwitchableHandler(identity.Host.Server.CreateHandler());
        using var backchannel = new CountingHandler(route);
        // Note: the production interval is 30 s; one second keeps the test short and still exercises the limit.
        await using var api = new ResourceApiHost(IdentityServerFixture.Authority, backchannel,
            options => options.RefreshInterval = TimeSpan.FromSeconds(1));
        using var client = api.CreateClient();

        var oldToken = await identity.GetAccessTokenAsync(before);
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(client, oldToken));

        route.SwitchTo(rotated.Server.CreateHandler());
        var newToken = await identity.GetAccessTokenAsync(after);
        Assert.NotEqual(new JsonWebToken(oldToken).Kid, new JsonWebToken(newToken).Kid);
        var fetchesBefore = backchannel.Count;

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 10 && statuses.LastOrDefault() != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
            statuses.Add(await GetStatusAsync(client, newToken));
        }

        Assert.Equal(HttpStatusCode.OK, statuses.Last());
        Assert.True(backchannel.Count > fetchesBefore, "The API must have read the JWKS again.");
    }

    private static async Task<HttpStatusCode> GetStatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
