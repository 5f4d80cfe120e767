namespace IdentityHost.IdentityServer.Users;

/// <summary>Registers what administrators do to accounts, shared by the admin console and <c>/api/users</c>.</summary>
public static class UsersExtensions
{
    /// <summary>Adds <see cref="UserDirectory"/> (search) and <see cref="UserAdministration"/> (the actions).</summary>
    public static IHostApplicationBuilder AddUserAdministration(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<UserDirectory>();
        builder.Services.AddScoped<UserAdministration>();
        return builder;
    }
}
