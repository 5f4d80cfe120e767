using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using IdentityHost.IdentityServer.Data;
using IdentityHost.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary>
/// The life of a token after it is issued: rotation, reuse detection, revocation, introspection, userinfo,
/// end-session, client_credentials, per-client permissions, and the account events that end logins.
/// </summary>
public abstract class TokenLifecycleTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    private static readonly string TokenEndpoint = new Uri(IdentityServerFixture.Authority, "connect/token").ToString();

    [Fact]
    public async Task RefreshTokenIsRotatedOnEveryUse()
    {
        var first = await LoginAsync();

        var second = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);
        var third = await IdentityServerFixture.RefreshAsync(Client, second.RefreshToken!);

        Assert.False(second.IsError, second.Raw);
        Assert.False(third.IsError, third.Raw);
        Assert.Equal(3, new[] { first.RefreshToken, second.RefreshToken, third.RefreshToken }.Distinct().Count());
    }

    [Fact]
    public async Task ReusedRefreshTokenAfterLeewayIsRejectedAndRevokesItsFamily()
    {
        var first = await LoginAsync();
        var second = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);
        Assert.False(second.IsError, second.Raw);

        // Note: the fixture's reuse leeway is one second.
        Fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var replay = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);
        var successor = await IdentityServerFixture.RefreshAsync(Client, second.RefreshToken!);

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, replay.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, successor.Error);
    }

    [Fact]
    public async Task RefreshTokenChainEndsAtTheAbsoluteLifetime()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            // Note: a sliding lifetime far longer than the test, so only the 6-second cap can end the chain.
            ["OpenIddict:RefreshTokenLifetime"] = "00:10:00",
            ["OpenIddict:RefreshTokenAbsoluteLifetime"] = "00:00:06",
        });
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);

        var second = await IdentityServerFixture.RefreshAsync(client, login.RefreshToken!);
        Assert.False(second.IsError, second.Raw);
        Fixture.Clock.Advance(TimeSpan.FromSeconds(7));
        var third = await IdentityServerFixture.RefreshAsync(client, second.RefreshToken!);

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, third.Error);
        // Note: IdentityHost's own refusal (the cap), not OpenIddict's expiry of the sliding token.
        Assert.Equal("The refresh token is no longer valid.", third.ErrorDescription);
    }

    [Fact]
    public async Task PrunerDeletesRevokedTokenRows()
    {
        await using var host = Fixture.CreateHost(new Dictionary<string, string?>
        {
            ["OpenIddict:PruneInterval"] = "00:00:01",
            ["OpenIddict:PruneRetention"] = "00:00:00",
        });
        using var client = host.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(client, userName, password);
        var subject = new JsonWebToken(tokens.AccessToken).Subject;
        var validBefore = await CountTokenRowsAsync(host, subject, valid: true);
        await IdentityServerFixture.RevokeAsync(client, tokens.RefreshToken!);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await CountTokenRowsAsync(host, subject, valid: false) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        // Note: the refresh token's row left the valid ones and is not kept as revoked: it was deleted (checking for
        // the revoked row first would race the one-second pruner). The access token and the identity token never had a
        // row (TokenStoragePolicy): the access token is revoked through its authorization.
        Assert.Equal(0, await CountTokenRowsAsync(host, subject, valid: false));
        Assert.Equal(0, await CountTokenRowsAsync(host, subject, valid: true));
        Assert.Equal(1, validBefore);
    }

    [Fact]
    public async Task RefreshCannotWidenScope()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var narrow = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password, "openid offline_access");

        var widened = await IdentityServerFixture.RefreshAsync(Client, narrow.RefreshToken!, "openid offline_access api");

        Assert.True(widened.IsError);
        Assert.Equal(OidcConstants.TokenErrors.InvalidScope, widened.Error);
    }

    [Fact]
    public async Task ClientCredentialsTokenCarriesNoUser()
    {
        var response = await Fixture.RequestMachineTokenAsync(Client);

        Assert.False(response.IsError, response.Raw);
        Assert.True(string.IsNullOrEmpty(response.RefreshToken));
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal(IdentityServerFixture.MachineClientId, token.Subject);
        Assert.Equal(IdentityServerFixture.MachineClientId, token.GetClaim("client_id").Value);
        Assert.Equal(["resource_api"], token.Audiences);
        Assert.False(token.TryGetClaim("name", out _));
        Assert.False(token.TryGetClaim("role", out _));
    }

    [Fact]
    public async Task ClientCredentialsFailsWith401GivenWrongSecret()
    {
        var response = await Fixture.RequestMachineTokenAsync(Client, secret: "wrong-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidClient, ErrorOf(response));
    }

    [Fact]
    public async Task ClientCredentialsTokensAreNotStored()
    {
        var response = await Fixture.RequestMachineTokenAsync(Client);
        var revocation = await Client.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/revoke").ToString(),
            ClientId = IdentityServerFixture.MachineClientId,
            ClientSecret = Fixture.MachineClientSecret,
            Token = response.AccessToken!,
        }, TestContext.Current.CancellationToken);

        Assert.False(response.IsError, response.Raw);
        Assert.Equal(0, await CountTokenRowsAsync(Fixture.Host, IdentityServerFixture.MachineClientId, valid: true));
        Assert.Equal("unsupported_token_type", revocation.Error);
    }

    [Fact]
    public async Task WrongClientSecretIsRefusedAfterTheRightOneWasAccepted()
    {
        var accepted = await Fixture.RequestMachineTokenAsync(Client);
        var wrong = await Fixture.RequestMachineTokenAsync(Client, secret: Fixture.MachineClientSecret + "x");
        var again = await Fixture.RequestMachineTokenAsync(Client);

        Assert.False(accepted.IsError, accepted.Raw);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.HttpStatusCode);
        Assert.False(again.IsError, again.Raw);
    }

    [Fact]
    public async Task ChangedClientSecretTakesEffectAtOnceDespiteTheCaches()
    {
        var clientId = "rotating-" + Guid.NewGuid().ToString("N")[..8];
        var oldSecret = Guid.NewGuid().ToString("N");
        var newSecret = Guid.NewGuid().ToString("N");
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = oldSecret,
            ClientType = OpenIddictConstants.ClientTypes.Confidential,
            Permissions =
            {
                OpenIddictConstants.Permissions.Endpoints.Token,
                OpenIddictConstants.Permissions.GrantTypes.ClientCredentials,
                OpenIddictConstants.Permissions.Prefixes.Scope + "api",
            },
        };
        await using (var scope = Fixture.Host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>()
                .CreateAsync(descriptor, TestContext.Current.CancellationToken);
        }

        var before = await RequestClientTokenAsync(clientId, oldSecret);
        await using (var scope = Fixture.Host.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var application = await applications.FindByClientIdAsync(clientId, TestContext.Current.CancellationToken);
            descriptor.ClientSecret = newSecret;
            await applications.UpdateAsync(application!, descriptor, TestContext.Current.CancellationToken);
        }

        var oldAfter = await RequestClientTokenAsync(clientId, oldSecret);
        var newAfter = await RequestClientTokenAsync(clientId, newSecret);

        Assert.False(before.IsError, before.Raw);
        Assert.Equal(HttpStatusCode.Unauthorized, oldAfter.HttpStatusCode);
        Assert.False(newAfter.IsError, newAfter.Raw);
    }

    [Fact]
    public async Task ClientCannotUseGrantItIsNotAllowed()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.MachineClientId,
            ClientSecret = Fixture.MachineClientSecret,
            UserName = userName,
            Password = password,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

        Assert.Equal(OidcConstants.TokenErrors.UnauthorizedClient, ErrorOf(response));
    }

    [Fact]
    public async Task ClientCannotAskForScopeItIsNotAllowed()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var response = await Client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = IdentityServerFixture.LimitedClientId,
            UserName = userName,
            Password = password,
            Scope = "openid roles",
        }, TestContext.Current.CancellationToken);

        Assert.Equal(OidcConstants.TokenErrors.InvalidScope, ErrorOf(response));
    }

    [Fact]
    public async Task RevokedRefreshTokenCannotBeRedeemed()
    {
        var tokens = await LoginAsync();

        var revocation = await IdentityServerFixture.RevokeAsync(Client, tokens.RefreshToken!);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);

        Assert.False(revocation.IsError, revocation.Raw);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
    }

    [Fact]
    public async Task ResourceServerCanIntrospectAccessTokensAndSeesRevocation()
    {
        var tokens = await LoginAsync();

        var active = await IntrospectAsync(tokens.AccessToken!, IdentityServerFixture.ResourceClientId, Fixture.ResourceClientSecret);
        using var signOut = await Client.GetAsync(
            $"/connect/endsession?id_token_hint={Uri.EscapeDataString(tokens.IdentityToken!)}", TestContext.Current.CancellationToken);
        var revoked = await IntrospectAsync(tokens.AccessToken!, IdentityServerFixture.ResourceClientId, Fixture.ResourceClientSecret);

        Assert.False(active.IsError, active.Raw);
        Assert.True(active.IsActive, active.Raw);
        Assert.Equal(new JsonWebToken(tokens.AccessToken).Subject, active.Claims.First(claim => claim.Type == "sub").Value);
        Assert.False(revoked.IsError, revoked.Raw);
        Assert.False(revoked.IsActive, revoked.Raw);
    }

    [Fact]
    public async Task ClientCannotIntrospectTokensOfOthers()
    {
        var tokens = await LoginAsync();

        var response = await IntrospectAsync(tokens.RefreshToken!, IdentityServerFixture.MachineClientId, Fixture.MachineClientSecret);

        Assert.False(response.IsError, response.Raw);
        Assert.False(response.IsActive);
    }

    [Fact]
    public async Task PublicClientCannotIntrospect()
    {
        var tokens = await LoginAsync();

        var response = await IntrospectAsync(tokens.AccessToken!, IdentityServerFixture.ClientId, secret: null);

        Assert.True(response.IsError);
        Assert.False(response.IsActive);
    }

    [Fact]
    public async Task UserInfoDescribesTheUser()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        var userInfo = await Client.GetUserInfoAsync(new UserInfoRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/userinfo").ToString(),
            Token = tokens.AccessToken!,
        }, TestContext.Current.CancellationToken);

        Assert.False(userInfo.IsError, userInfo.Raw);
        Assert.Equal(new JsonWebToken(tokens.AccessToken).Subject, userInfo.Claims.First(claim => claim.Type == "sub").Value);
        Assert.Equal(userName, userInfo.Claims.First(claim => claim.Type == "name").Value);
        Assert.Equal(["user"], userInfo.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
    }

    [Fact]
    public async Task EndSessionRevokesTheUsersRefreshTokens()
    {
        var tokens = await LoginAsync();

        using var response = await Client.GetAsync(
            $"/connect/endsession?id_token_hint={Uri.EscapeDataString(tokens.IdentityToken!)}", TestContext.Current.CancellationToken);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);

        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode}");
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
    }

    [Fact]
    public async Task PasswordChangeRevokesRefreshTokensAndReplacesThePassword()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var newPassword = IdentityServerFixture.NewPassword();

        using var wrongCurrent = await ChangePasswordAsync(tokens.AccessToken!, password + "x", newPassword);
        using var changed = await ChangePasswordAsync(tokens.AccessToken!, password, newPassword);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);
        var oldLogin = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var newLogin = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, newPassword);

        var problem = await Problem.ReadAsync(wrongCurrent, HttpStatusCode.BadRequest);
        Assert.Equal(["currentPassword"], Problem.ErrorFields(problem));
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, oldLogin.Error);
        Assert.False(newLogin.IsError, newLogin.Raw);
    }

    [Fact]
    public async Task DisablingUserRevokesTokensAndBlocksLoginUntilEnabled()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var userId = new JsonWebToken(tokens.AccessToken).Subject;
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var byUser = await SendAsync(HttpMethod.Post, $"/api/users/{userId}/disable", tokens.AccessToken!);
        using var disabled = await SendAsync(HttpMethod.Post, $"/api/users/{userId}/disable", admin);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);
        var blocked = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        using var enabled = await SendAsync(HttpMethod.Post, $"/api/users/{userId}/enable", admin);
        var allowed = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
        Assert.Equal("The username or password is incorrect.", blocked.ErrorDescription);
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        Assert.False(allowed.IsError, allowed.Raw);
    }

    [Fact]
    public async Task DeletingUserRevokesTokens()
    {
        var tokens = await LoginAsync();
        var userId = new JsonWebToken(tokens.AccessToken).Subject;
        var admin = await Fixture.GetAccessTokenAsync(Client, admin: true);

        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/users/{userId}", admin);
        using var gone = await SendAsync(HttpMethod.Get, $"/api/users/{userId}", admin);
        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problem.ReadAsync(gone, HttpStatusCode.NotFound);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
    }

    [Fact]
    public async Task LockedAccountCannotRedeemRefreshTokens()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        // Note: ASP.NET Core Identity's default lockout threshold is five failed attempts.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password + "x");
        }

        var refresh = await IdentityServerFixture.RefreshAsync(Client, tokens.RefreshToken!);
        var login = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refresh.Error);
        Assert.Equal("The username or password is incorrect.", login.ErrorDescription);
    }

    [Fact]
    public async Task DiscoveryListsEveryEndpointAndGrant()
    {
        var discovery = await Client.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = IdentityServerFixture.Authority.ToString(),
            Policy = { RequireHttps = false },
        }, TestContext.Current.CancellationToken);

        Assert.False(discovery.IsError, discovery.Error);
        Assert.EndsWith("/connect/revoke", discovery.RevocationEndpoint, StringComparison.Ordinal);
        Assert.EndsWith("/connect/introspect", discovery.IntrospectionEndpoint, StringComparison.Ordinal);
        Assert.EndsWith("/connect/userinfo", discovery.UserInfoEndpoint, StringComparison.Ordinal);
        Assert.EndsWith("/connect/endsession", discovery.EndSessionEndpoint, StringComparison.Ordinal);
        Assert.Superset(
            new HashSet<string>(["password", "refresh_token", "client_credentials"]),
            new HashSet<string>(discovery.GrantTypesSupported));
    }

    private async Task<TokenResponse> LoginAsync()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        Assert.False(tokens.IsError, tokens.Raw);
        return tokens;
    }

    private static async Task<int> CountTokenRowsAsync(IdentityServerHost host, string subject, bool valid)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IdentityHostDbContext>().Set<OpenIddictEntityFrameworkCoreToken>();
        return await tokens.CountAsync(
            token => token.Subject == subject && (token.Status == "valid") == valid, TestContext.Current.CancellationToken);
    }

    private Task<TokenResponse> RequestClientTokenAsync(string clientId, string secret) =>
        Client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "api",
        }, TestContext.Current.CancellationToken);

    private Task<TokenIntrospectionResponse> IntrospectAsync(string token, string clientId, string? secret) =>
        Client.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = new Uri(IdentityServerFixture.Authority, "connect/introspect").ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Token = token,
        });

    private async Task<HttpResponseMessage> ChangePasswordAsync(string accessToken, string current, string next)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/password")
        {
            Content = JsonContent.Create(new { currentPassword = current, newPassword = next }),
        };
        request.SetBearerToken(accessToken);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string accessToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.SetBearerToken(accessToken);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string? ErrorOf(ProtocolResponse response) =>
        response.Error is { } error && error.Contains('_', StringComparison.Ordinal) ? error
            : JsonDocument.Parse(response.Raw!).RootElement.GetProperty("error").GetString();
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteTokenLifecycleTests(SqliteServerFixture fixture)
    : TokenLifecycleTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlTokenLifecycleTests(MySqlServerFixture fixture)
    : TokenLifecycleTests(fixture), IClassFixture<MySqlServerFixture>;
