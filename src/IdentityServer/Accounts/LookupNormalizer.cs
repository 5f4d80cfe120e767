using Microsoft.AspNetCore.Identity;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Identity's <see cref="UpperInvariantLookupNormalizer"/> (Unicode form C, then upper case), except that text .NET
/// cannot normalize (lone surrogates, U+FFFE) is upper-cased as it is instead of throwing. Note: Identity normalizes
/// every name it looks up, so any client could turn a look-up into a 500 (the fuzz tests found it); such a name
/// never matches a stored one, since <see cref="UserNameValidator"/> refuses it at registration.
/// </summary>
internal sealed class LookupNormalizer : ILookupNormalizer
{
    public string? NormalizeName(string? name) => Normalize(name);

    /// <summary>
    /// The address in <see cref="AccountText.NormalizeEmail"/>'s form (IDNA domain, NFKC local part), upper-cased: two
    /// spellings of one address compare equal.
    /// </summary>
    public string? NormalizeEmail(string? email) => Normalize(AccountText.NormalizeEmail(email));

    private static string? Normalize(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return text.Normalize().ToUpperInvariant();
        }
        catch (ArgumentException)
        {
            return text.ToUpperInvariant();
        }
    }
}
