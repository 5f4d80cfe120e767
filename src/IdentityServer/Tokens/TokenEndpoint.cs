using IdentityHost.IdentityServer.Accounts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// The <c>/connect/token</c> passthrough: OpenIddict has already validated the client, grant type and
/// scopes; this decides whether the user may have tokens and with which claims.
/// </summary>
public static class TokenEndpoint
{
    /// <summary>
    /// When the login behind a chain of refresh tokens happened (Unix milliseconds). Note: it has no destination, so
    /// OpenIddict keeps it in refresh tokens only; access and identity tokens never carry it.
    /// </summary>
    internal const string LoginStartedClaim = "identityhost_login_started";

    /// <summary>Maps <c>POST /connect/token</c> (password, authorization_code, refresh_token and client_credentials grants).</summary>
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/connect/token", ExchangeAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ExchangeAsync(
        HttpContext context,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn,
        PasswordCheck passwords,
        UserPrincipalFactory principals,
        SecurityAudit audit,
        IOptions<TokenServerOptions> options,
        TimeProvider clock)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsPasswordGrantType())
        {
            if (AccountText.NormalizeUserName(request.Username).Length == 0)
            {
                return OAuthErrors.Reject(Errors.InvalidRequest, "The mandatory 'username' parameter is missing.");
            }

            var user = await passwords.CheckAsync(request.Username, request.Password, context.RequestAborted);
            if (user is null)
            {
                return OAuthErrors.Reject(Errors.InvalidGrant, PasswordCheck.Failure);
            }

            var principal = await principals.CreateAsync(user, request.GetScopes());
            principal.SetClaim(LoginStartedClaim, clock.GetUtcNow().ToUnixTimeMilliseconds());
            return SignIn(principal);
        }

        if (request.IsClientCredentialsGrantType())
        {
            // Note: OpenIddict has already authenticated the confidential client and checked its grant and
            // scopes, so the client id is trusted as is; looking the client up again would only cost a query.
            return SignIn(principals.CreateForClient(request.ClientId!, request.GetScopes()));
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var authenticated = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = authenticated.Principal?.GetClaim(Claims.Subject);
            var user = subject is null ? null : await users.FindByIdAsync(subject);
            if (user is null || await signIn.IsBarredAsync(user))
            {
                return OAuthErrors.Reject(Errors.InvalidGrant, request.IsAuthorizationCodeGrantType()
                    ? "The authorization code is no longer valid."
                    : "The refresh token is no longer valid.");
            }

            // Note: the chain of refresh tokens of one login ends at the absolute lifetime, however often it
            // is used: past it, no refresh token of that login is redeemed.
            var started = DateTimeOffset.FromUnixTimeMilliseconds(
                long.TryParse(authenticated.Principal!.GetClaim(LoginStartedClaim), out var milliseconds) ? milliseconds : 0);
            if (request.IsRefreshTokenGrantType() && clock.GetUtcNow() >= started + options.Value.RefreshTokenAbsoluteLifetime)
            {
                return OAuthErrors.Reject(Errors.InvalidGrant, "The refresh token is no longer valid.");
            }

            if (request.IsAuthorizationCodeGrantType())
            {
                // Note: the code's own claims (nonce, auth_time, authorization) are kept; name and roles are
                // read again, in case they changed since the user signed in.
                audit.Write("code.redeemed", user.Id);
                return SignIn(await principals.UpdateAsync(authenticated.Principal!, user));
            }

            // Note: claims are rebuilt from the database so role changes reach the next access token;
            // the scopes are those of the original grant (OpenIddict refuses a request that widens them).
            audit.Write("token.refreshed", user.Id);
            var scopes = request.GetScopes() is { Length: > 0 } requested ? requested : authenticated.Principal!.GetScopes();
            var principal = await principals.CreateAsync(user, scopes);
            principal.SetClaim(LoginStartedClaim, started.ToUnixTimeMilliseconds());
            return SignIn(principal);
        }

        return OAuthErrors.Reject(Errors.UnsupportedGrantType, "The specified grant type is not supported.");
    }

    private static IResult SignIn(System.Security.Claims.ClaimsPrincipal principal) =>
        Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
