namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The <c>Bootstrap:Admin</c> section: an administrator created at start-up if it does not exist yet.
/// There is no default; set both values (the password from user-secrets or the environment) or neither.
/// </summary>
public sealed class BootstrapAdminOptions
{
    public const string SectionName = "Bootstrap:Admin";

    public string? Username { get; set; }

    public string? Password { get; set; }
}
