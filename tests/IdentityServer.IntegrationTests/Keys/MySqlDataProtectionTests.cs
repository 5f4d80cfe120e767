using IdentityHost.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Keys;

/// <summary>Data Protection's key ring lives in the database, so every node on one database shares it.</summary>
public sealed class MySqlDataProtectionTests(MySqlServerFixture fixture) : ServerTests(fixture), IClassFixture<MySqlServerFixture>
{
    [Fact]
    public async Task DataProtectedByOneNodeIsReadByAnother()
    {
        await using var second = Fixture.CreateHost();
        second.CreateClient().Dispose();
        var secret = Guid.NewGuid().ToString();

        var protectedByA = Fixture.Host.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("IdentityHost.Tests").Protect(secret);
        var readByB = second.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("IdentityHost.Tests").Unprotect(protectedByA);

        Assert.Equal(secret, readByB);
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        Assert.NotEmpty(scope.ServiceProvider.GetRequiredService<IdentityServer.Data.IdentityHostDbContext>().DataProtectionKeys);
    }
}
