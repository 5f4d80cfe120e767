using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// The password policy: a length range counted in characters, and no composition rules (NIST SP 800-63B-4); only
/// text that can be normalized (no lone surrogates, no U+FFFE), so that it can be compared at sign-in.
/// </summary>
internal sealed class PasswordLengthValidator(IOptions<AccountOptions> options) : IPasswordValidator<ApplicationUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        var rules = options.Value;
        var length = AccountText.Length(password ?? string.Empty);

        if (!AccountText.IsNormalizable(password ?? string.Empty))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordNotUnicode",
                Description = "The password contains characters that are not valid Unicode text.",
            }));
        }

        if (length < rules.PasswordMinLength)
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = nameof(IdentityErrorDescriber.PasswordTooShort),
                Description = $"The password must be at least {rules.PasswordMinLength} characters long.",
            }));
        }

        if (length > rules.PasswordMaxLength)
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooLong",
                Description = $"The password must be at most {rules.PasswordMaxLength} characters long.",
            }));
        }

        return Task.FromResult(IdentityResult.Success);
    }
}
