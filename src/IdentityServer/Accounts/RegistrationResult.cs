using IdentityHost.IdentityServer.Entities;
namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The outcome of <see cref="UserRegistration.RegisterAsync"/>: a user, field errors, or a name already taken.</summary>
public sealed record RegistrationResult(
    ApplicationUser? User,
    IReadOnlyList<string> Roles,
    IDictionary<string, string[]> Errors,
    bool NameTaken,
    bool EmailTaken = false)
{
    public static RegistrationResult Taken { get; } = new(null, [], new Dictionary<string, string[]>(), NameTaken: true);

    /// <summary>Another account has the address (when addresses are unique).</summary>
    public static RegistrationResult AddressTaken { get; } = new(null, [], new Dictionary<string, string[]>(), NameTaken: false, EmailTaken: true);

    public static RegistrationResult Invalid(IDictionary<string, string[]> errors) => new(null, [], errors, NameTaken: false);

    public static RegistrationResult Created(ApplicationUser user, string role) =>
        new(user, [role], new Dictionary<string, string[]>(), NameTaken: false);
}
