using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Creates the administrator named by <c>Bootstrap:Admin</c>, or gives an existing user of that name the
/// admin role. An existing user's password is never changed.
/// </summary>
internal sealed class AdminBootstrapper(
    IOptions<BootstrapAdminOptions> options,
    UserManager<ApplicationUser> users,
    UserRegistration registration,
    ILogger<AdminBootstrapper> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var userName = AccountText.NormalizeUserName(options.Value.Username);
        if (userName.Length == 0)
        {
            logger.LogInformation("No administrator bootstrapped: Bootstrap:Admin:Username is not set");
            return;
        }

        var existing = await users.FindByNameAsync(userName);
        if (existing is not null)
        {
            if (!await users.IsInRoleAsync(existing, Roles.Admin))
            {
                await users.AddToRoleAsync(existing, Roles.Admin);
                logger.LogInformation("Gave the admin role to existing user {UserId}", existing.Id);
            }

            return;
        }

        if (string.IsNullOrEmpty(options.Value.Password))
        {
            throw new InvalidOperationException(
                "Bootstrap:Admin:Password is required when Bootstrap:Admin:Username names a user that does not exist yet.");
        }

        var result = await registration.RegisterAsync(
            userName, AccountText.NormalizePassword(options.Value.Password), Roles.Admin, cancellationToken);
        if (result.User is null && !result.NameTaken)
        {
            throw new InvalidOperationException("Bootstrap:Admin is not valid: " +
                string.Join(" ", result.Errors.SelectMany(pair => pair.Value.Select(message => $"{pair.Key}: {message}"))));
        }

        logger.LogInformation("Bootstrapped administrator {UserName}", userName);
    }
}
