using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Clients;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>Fails start-up when <c>Accounts:LoginClientId</c> names no configured client allowed the password grant.</summary>
internal sealed class LoginClientValidator(IOptions<ClientRegistrationOptions> clients) : IValidateOptions<AccountOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var loginClientId = options.LoginClientId;
        return string.IsNullOrWhiteSpace(loginClientId) || clients.Value.Clients.Any(client =>
                client.ClientId == loginClientId && client.GrantTypes.Contains(GrantTypes.Password))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Accounts:LoginClientId is '{loginClientId}', but no client in OpenIddict:Clients " +
                                         "with that id is allowed the password grant.");
    }
}
