using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// User name rules: after trimming and NFKC normalization, <see cref="AccountOptions.UserNameMinLength"/> to
/// <see cref="AccountOptions.UserNameMaxLength"/> characters of letters, digits (any script) and <c>. _ - @</c>.
/// </summary>
internal sealed class UserNameValidator(IOptions<AccountOptions> options) : IUserValidator<ApplicationUser>
{
    public const string InvalidCode = "InvalidUserName";

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var rules = options.Value;
        var name = user.UserName ?? string.Empty;
        var length = AccountText.Length(name);

        if (length < rules.UserNameMinLength || length > rules.UserNameMaxLength)
        {
            return Task.FromResult(Fail(
                $"The username must be {rules.UserNameMinLength} to {rules.UserNameMaxLength} characters long."));
        }

        if (!name.EnumerateRunes().All(AccountText.IsAllowedUserNameRune))
        {
            return Task.FromResult(Fail("The username may contain only letters, digits and the characters . _ - @"));
        }

        return Task.FromResult(IdentityResult.Success);
    }

    private static IdentityResult Fail(string description) =>
        IdentityResult.Failed(new IdentityError { Code = InvalidCode, Description = description });
}
