using IdentityHost.IdentityServer.Mfa;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.UnitTests.Mfa;

/// <summary><c>Accounts:Mfa:RequiredForRoles</c>: administrators by default, none when set empty, the roles given otherwise.</summary>
public sealed class MfaOptionsTests
{
    [Fact]
    public void AdministratorsMustHaveASecondFactorByDefault() => Assert.Equal(["admin"], RolesWith([]));

    [Fact]
    public void AnEmptyValueRequiresItOfNoRole() => Assert.Empty(RolesWith([new("Accounts:Mfa:RequiredForRoles", "")]));

    [Fact]
    public void GivenRolesReplaceTheDefault() =>
        Assert.Equal(["support", "auditor"], RolesWith([new("Accounts:Mfa:RequiredForRoles:0", "support"), new("Accounts:Mfa:RequiredForRoles:1", " auditor ")]));

    private static IList<string> RolesWith(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMfa();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<MfaOptions>>().Value.RequiredForRoles;
    }
}
