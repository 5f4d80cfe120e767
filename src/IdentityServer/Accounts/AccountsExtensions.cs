using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>Registers ASP.NET Core Identity and the account services.</summary>
public static class AccountsExtensions
{
    /// <summary>
    /// Adds Identity (users and roles in <see cref="IdentityHostDbContext"/>) with IdentityHost's user name and
    /// password rules, registration, and the role and administrator seeders.
    /// </summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddOptions<AccountOptions>()
            .BindConfiguration(AccountOptions.SectionName)
            .Validate(options => options.PasswordMinLength is >= 1 and <= 128,
                "Accounts:PasswordMinLength must be between 1 and 128.")
            .Validate(options => options.PasswordMaxLength >= options.PasswordMinLength && options.PasswordMaxLength <= 128,
                "Accounts:PasswordMaxLength must be at least Accounts:PasswordMinLength and at most 128.")
            .Validate(options => options.UserNameMinLength >= 1 && options.UserNameMaxLength >= options.UserNameMinLength &&
                                 options.UserNameMaxLength <= 256,
                "Accounts:UserNameMinLength and Accounts:UserNameMaxLength must form a range within 1..256.")
            .Validate(options => File.Exists(PasswordBlocklist.ResolvePath(options.PasswordBlocklistPath, contentRoot)),
                "Accounts:PasswordBlocklistPath names no readable file (unset, the built-in list App_Data/common-passwords.tgz " +
                "beside the server is used; it comes with the build).")
            .Validate(options => options.PasswordContextWords.All(word => !string.IsNullOrWhiteSpace(word)),
                "Accounts:PasswordContextWords must not contain empty words.")
            .Validate(options => options.LockoutThreshold >= 1, "Accounts:LockoutThreshold must be at least 1.")
            .Validate(options => options.LockoutDuration > TimeSpan.Zero, "Accounts:LockoutDuration must be positive.")
            .Validate(options => options.EmailTokenLifetime > TimeSpan.Zero, "Accounts:EmailTokenLifetime must be positive.")
            .Validate(options => options.PasswordResetTokenLifetime > TimeSpan.Zero, "Accounts:PasswordResetTokenLifetime must be positive.")
            .Validate(options => options.RecoveryMailsPerHour >= 1, "Accounts:RecoveryMailsPerHour must be at least 1.")
            .Validate(options => options.PasswordHashIterations >= 100_000,
                "Accounts:PasswordHashIterations must be at least 100,000 (ASP.NET Core Identity's default).")
            .ValidateOnStart();
        builder.Services.AddOptions<PasswordHasherOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AccountOptions>>((hasher, accounts) =>
                hasher.IterationCount = accounts.Value.PasswordHashIterations);
        builder.Services.AddOptions<BootstrapAdminOptions>().BindConfiguration(BootstrapAdminOptions.SectionName);

        builder.Services.AddIdentityCore<ApplicationUser>(options =>
            {
                // Note: user names are checked by UserNameValidator (Unicode letters allowed), and password length by
                // PasswordLengthValidator; Identity's own composition rules are off, as NIST SP 800-63B-4 asks.
                options.User.AllowedUserNameCharacters = string.Empty;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Password.RequiredLength = 1;
                options.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                options.ClaimsIdentity.UserNameClaimType = Claims.Name;
                options.ClaimsIdentity.RoleClaimType = Claims.Role;
                // Note: uniqueness of addresses is checked by AccountEmails and a unique index; Identity's own check would
                // also refuse every account without an address.
                options.User.RequireUniqueEmail = false;
                // Note: schema version 3 holds passkeys (AspNetUserPasskeys); dotnet ef builds the model with the same.
                DesignTimeServices.ConfigureIdentitySchema(options.Stores);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityHostDbContext>()
            .AddSignInManager()
            .AddUserValidator<UserNameValidator>()
            .AddPasswordValidator<PasswordLengthValidator>()
            .AddPasswordValidator<PasswordPolicyValidator>();

        // Note: an address that is not verified holds the account (sign-in, refresh, codes) only when the setting is on;
        // IdentityHost's own rule, so accounts without any address are not held.
        builder.Services.AddOptions<IdentityOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AccountOptions>>((identity, accounts) =>
                identity.SignIn.RequireConfirmedAccount = accounts.Value.RequireVerifiedEmail);
        builder.Services.AddScoped<IUserConfirmation<ApplicationUser>, VerifiedEmailConfirmation>();
        builder.Services.AddScoped<AccountTokens>();
        builder.Services.AddScoped<AccountEmails>();

        builder.Services.AddSingleton<PasswordBlocklist>();
        builder.Services.AddHostedService<PasswordBlocklistLoader>();

        builder.Services.Replace(ServiceDescriptor.Scoped<ILookupNormalizer, LookupNormalizer>());
        builder.Services.AddScoped<UserRegistration>();
        builder.Services.AddScoped<PasswordCheck>();
        builder.Services.AddScoped<KnownAddresses>();
        builder.Services.TryAddScoped<SecurityAudit>();
        builder.Services.TryAddSingleton<IdentityHostMetrics>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDatabaseSeeder<RoleSeeder>();
        builder.Services.AddDatabaseSeeder<AdminBootstrapper>();
        return builder;
    }
}
