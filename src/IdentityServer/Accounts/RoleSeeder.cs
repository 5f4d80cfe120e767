using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>Creates the <c>user</c> and <c>admin</c> roles when they are missing.</summary>
internal sealed class RoleSeeder(RoleManager<IdentityRole> roles, ILogger<RoleSeeder> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var result = await roles.CreateAsync(new IdentityRole(role));
                if (!result.Succeeded && !await roles.RoleExistsAsync(role))
                {
                    throw new InvalidOperationException($"Could not create the '{role}' role: {result}");
                }

                logger.LogInformation("Created role {Role}", role);
            }
        }
    }
}
