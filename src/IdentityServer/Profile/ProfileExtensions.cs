namespace IdentityHost.IdentityServer.Profile;

/// <summary>Registers the account pages' services: password change, account deletion and data export.</summary>
public static class ProfileExtensions
{
    /// <summary>
    /// Adds <see cref="PasswordChange"/>, <see cref="AccountDeletion"/> and <see cref="AccountExport"/>; the account page
    /// (<c>/account</c>) is a Razor page of this folder.
    /// </summary>
    public static IHostApplicationBuilder AddAccountPages(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<PasswordChange>();
        builder.Services.AddScoped<AccountDeletion>();
        builder.Services.AddScoped<AccountExport>();
        return builder;
    }
}
