using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>Registers the second factors (authenticator codes and recovery codes).</summary>
public static class MfaExtensions
{
    /// <summary>
    /// Adds <c>Accounts:Mfa</c> (validated at start-up) and <see cref="SecondFactors"/>. Note: <c>RequiredForRoles</c>
    /// defaults to <c>["admin"]</c> only when the key is absent, since configuration binding can add to a list but not
    /// empty it.
    /// </summary>
    public static IHostApplicationBuilder AddMfa(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(MfaOptions.SectionName);
        builder.Services.AddOptions<MfaOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
                var roles = section.GetSection(nameof(MfaOptions.RequiredForRoles));
                var given = roles.Exists() ? options.RequiredForRoles.Where(role => !string.IsNullOrWhiteSpace(role)).ToList() : [.. MfaOptions.DefaultRequiredForRoles];
                options.RequiredForRoles.Clear();
                foreach (var role in given)
                {
                    options.RequiredForRoles.Add(role.Trim());
                }
            })
            .Validate(options => options.LockoutThreshold >= 1, "Accounts:Mfa:LockoutThreshold must be at least 1.")
            .Validate(options => options.LockoutDuration > TimeSpan.Zero, "Accounts:Mfa:LockoutDuration must be positive.")
            .Validate(options => !string.IsNullOrWhiteSpace(options.Issuer), "Accounts:Mfa:Issuer must not be empty.")
            .ValidateOnStart();
        builder.Services.AddScoped<SecondFactors>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
