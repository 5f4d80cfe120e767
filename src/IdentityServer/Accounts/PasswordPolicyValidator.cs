using System.Globalization;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Refuses passwords on the common-password blocklist and passwords that contain a context word: the user's own
/// name or a word configured in <c>Accounts:PasswordContextWords</c>, such as the service's name (NIST SP 800-63B-4
/// §3.1.1.2). Both comparisons ignore case and Unicode compatibility forms.
/// </summary>
internal sealed class PasswordPolicyValidator(PasswordBlocklist blocklist, IOptions<AccountOptions> options)
    : IPasswordValidator<ApplicationUser>
{
    /// <summary>Context words shorter than this are not looked for; a 3-letter name would forbid too much.</summary>
    public const int ShortestContextWord = 4;

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        if (blocklist.Contains(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooCommon",
                Description = "This password is on a list of common or leaked passwords. Choose another, e.g. a few unrelated words.",
            }));
        }

        var folded = PasswordBlocklist.Fold(password);
        IEnumerable<string?> words = [user.UserName, .. options.Value.PasswordContextWords];
        foreach (var word in words)
        {
            if (word is null)
            {
                continue;
            }

            var foldedWord = PasswordBlocklist.Fold(word.Trim());
            if (AccountText.Length(foldedWord) >= ShortestContextWord && folded.Contains(foldedWord, StringComparison.Ordinal))
            {
                return Task.FromResult(IdentityResult.Failed(new IdentityError
                {
                    Code = "PasswordContainsContextWord",
                    Description = string.Equals(word, user.UserName, StringComparison.Ordinal)
                        ? "The password must not contain the user name."
                        : string.Create(CultureInfo.InvariantCulture, $"The password must not contain \"{word.Trim()}\"."),
                }));
            }
        }

        return Task.FromResult(IdentityResult.Success);
    }
}
