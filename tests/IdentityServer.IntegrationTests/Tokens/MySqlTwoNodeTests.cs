using Duende.IdentityModel;
using IdentityHost.Testing;

namespace IdentityHost.IdentityServer.IntegrationTests.Tokens;

/// <summary>Two server instances on one MySQL database behave as one server.</summary>
public sealed class MySqlTwoNodeTests(MySqlServerFixture fixture) : ServerTests(fixture), IClassFixture<MySqlServerFixture>
{
    [Fact]
    public async Task RefreshTokenIssuedByOneNodeIsRedeemedAtTheOther()
    {
        await using var second = Fixture.CreateHost();
        using var nodeB = second.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var issuedByA = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);

        var redeemedAtB = await IdentityServerFixture.RefreshAsync(nodeB, issuedByA.RefreshToken!);
        var redeemedBackAtA = await IdentityServerFixture.RefreshAsync(Client, redeemedAtB.RefreshToken!);

        Assert.False(issuedByA.IsError, issuedByA.Raw);
        Assert.False(redeemedAtB.IsError, redeemedAtB.Raw);
        Assert.False(redeemedBackAtA.IsError, redeemedBackAtA.Raw);
    }

    [Fact]
    public async Task RevocationAtOneNodeIsHonouredAtTheOther()
    {
        await using var second = Fixture.CreateHost();
        using var nodeB = second.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var tokens = await IdentityServerFixture.RequestPasswordTokenAsync(nodeB, userName, password);

        var revocation = await IdentityServerFixture.RevokeAsync(Client, tokens.RefreshToken!);
        var refreshAtB = await IdentityServerFixture.RefreshAsync(nodeB, tokens.RefreshToken!);

        Assert.False(revocation.IsError, revocation.Raw);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, refreshAtB.Error);
    }

    [Fact]
    public async Task ReuseDetectedAtOneNodeRevokesTheFamilyAtTheOther()
    {
        await using var second = Fixture.CreateHost();
        using var nodeB = second.CreateClient();
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var first = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
        var rotated = await IdentityServerFixture.RefreshAsync(nodeB, first.RefreshToken!);

        // Note: past the fixture's one-second reuse leeway, a replay of the old token is theft.
        Fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var replayAtA = await IdentityServerFixture.RefreshAsync(Client, first.RefreshToken!);
        var successorAtB = await IdentityServerFixture.RefreshAsync(nodeB, rotated.RefreshToken!);

        Assert.False(rotated.IsError, rotated.Raw);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, replayAtA.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, successorAtB.Error);
    }
}
