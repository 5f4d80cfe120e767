using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// The <c>/connect/token</c> passthrough: OpenIddict has already validated the client, grant type and
/// scopes; this decides whether the user may have tokens and with which claims.
/// </summary>
internal static class TokenEndpoint
{
    /// <summary>
    /// Answers a token request OpenIddict has validated: at <c>/connect/token</c>, and at any other address OpenIddict
    /// serves as its token endpoint (the seed login).
    /// </summary>
    public static async Task<IResult> ExchangeAsync(
        HttpContext context,
        UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn,
        PasswordCheck passwords,
        UserPrincipalFactory principals,
        SecurityAudit audit,
        TokenExchange exchanges,
        SecondFactors factors,
        IOpenIddictApplicationManager applications,
        IOptions<TokenServerOptions> options,
        TimeProvider clock)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsPasswordGrantType())
        {
            if (AccountText.NormalizeUserName(request.Username).Length == 0)
            {
                return ErrorResponses.Reject(Errors.InvalidRequest, "The mandatory 'username' parameter is missing.");
            }

            var user = await passwords.CheckAsync(request.Username, request.Password, context.RequestAborted);
            if (user is null)
            {
                return ErrorResponses.Reject(Errors.InvalidGrant, PasswordCheck.Failure);
            }

            // Note: only someone who knows the password learns whether a second factor is needed.
            var (methods, refusal) = await CheckSecondFactorAsync(context, request, user, factors, applications, audit);
            if (refusal is not null)
            {
                return refusal;
            }

            var principal = await principals.CreateAsync(user, request.GetScopes(), request.GetResources());
            principal.SetClaim(ClaimNames.LoginStarted, clock.GetUtcNow().ToUnixTimeMilliseconds());
            principal.SetAuthenticationMethods(methods);
            return SignIn(principal);
        }

        if (request.IsClientCredentialsGrantType())
        {
            // Note: OpenIddict has already authenticated the confidential client and checked its grant, scopes and
            // resources, so the client id is trusted as is; looking the client up again would only cost a query.
            return SignIn(principals.CreateForClient(request.ClientId!, request.GetScopes(), request.GetResources()));
        }

        if (request.IsTokenExchangeGrantType())
        {
            return await exchanges.ExchangeAsync(context, request);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType() || request.IsDeviceCodeGrantType())
        {
            var authenticated = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = authenticated.Principal?.GetClaim(Claims.Subject);
            var user = subject is null ? null : await principals.FindUserAsync(subject, context.RequestAborted);
            if (user is null || await signIn.IsBarredAsync(user))
            {
                return ErrorResponses.Reject(Errors.InvalidGrant,
                    request.IsAuthorizationCodeGrantType() ? "The authorization code is no longer valid."
                    : request.IsDeviceCodeGrantType() ? "The device code is no longer valid."
                    : "The refresh token is no longer valid.");
            }

            // Note: the chain of refresh tokens of one login ends at the absolute lifetime, however often it
            // is used: past it, no refresh token of that login is redeemed.
            var started = DateTimeOffset.FromUnixTimeMilliseconds(
                long.TryParse(authenticated.Principal!.GetClaim(ClaimNames.LoginStarted), out var milliseconds) ? milliseconds : 0);
            if (request.IsRefreshTokenGrantType() && clock.GetUtcNow() >= started + options.Value.RefreshTokenAbsoluteLifetime)
            {
                return ErrorResponses.Reject(Errors.InvalidGrant, "The refresh token is no longer valid.");
            }

            if (request.IsAuthorizationCodeGrantType())
            {
                // Note: the code's own claims (nonce, auth_time, authorization) are kept; name and roles are
                // read again, in case they changed since the user signed in.
                audit.Write(AuditEvents.CodeRedeemed, user.Id);
                return SignIn(await principals.UpdateAsync(authenticated.Principal!, user));
            }

            if (request.IsDeviceCodeGrantType())
            {
                // Note: the device's first tokens; the user approved them on the verification page, as signed in then.
                audit.Write(AuditEvents.DeviceCodeRedeemed, user.Id);
                var device = await principals.CreateAsync(user, authenticated.Principal!.GetScopes(), authenticated.Principal!.GetResources());
                device.SetClaim(ClaimNames.LoginStarted, clock.GetUtcNow().ToUnixTimeMilliseconds());
                device.SetAuthenticationMethods(MfaRequirements.MethodsOf(authenticated.Principal));
                return SignIn(device);
            }

            // Note: claims are rebuilt from the database so role changes reach the next access token; the scopes and
            // audiences are those of the original grant unless the request narrows them (OpenIddict refuses a widening).
            audit.Write(AuditEvents.TokenRefreshed, user.Id);
            var scopes = request.GetScopes() is { Length: > 0 } requested ? requested : authenticated.Principal!.GetScopes();
            var resources = request.GetResources() is { Length: > 0 } named ? named : authenticated.Principal!.GetResources();
            var principal = await principals.CreateAsync(user, scopes, resources);
            principal.SetClaim(ClaimNames.LoginStarted, started.ToUnixTimeMilliseconds());
            // Note: how the user signed in stays what it was at the login behind the chain.
            principal.SetAuthenticationMethods(MfaRequirements.MethodsOf(authenticated.Principal));
            return SignIn(principal);
        }

        return ErrorResponses.Reject(Errors.UnsupportedGrantType, "The specified grant type is not supported.");
    }

    /// <summary>
    /// The second factor of a password grant whose password was right: the <c>amr</c> of the sign-in, or the refusal. A
    /// user with an authenticator must send its code as <c>totp</c>; one with passkeys only is refused; one who must have a second factor (a role of
    /// <c>Accounts:Mfa:RequiredForRoles</c>, or a <c>RequireMfa</c> client) and has none is refused until they enrol.
    /// </summary>
    private static async Task<(string[] Methods, IResult? Refusal)> CheckSecondFactorAsync(
        HttpContext context, OpenIddictRequest request, ApplicationUser user, SecondFactors factors,
        IOpenIddictApplicationManager applications, SecurityAudit audit)
    {
        var cancellationToken = context.RequestAborted;
        if (!await factors.IsEnrolledAsync(user.Id, cancellationToken))
        {
            // Note: a passkey needs the browser (WebAuthn) and cannot travel in a token request; a user whose only second
            // factor is a passkey is refused rather than let in on the password alone, which would make the passkey optional.
            if (await factors.HasPasskeyAsync(user.Id, cancellationToken))
            {
                audit.Write(AuditEvents.MfaRequired, user.Id, "passkey only");
                return ([], ErrorResponses.Reject(MfaRequirements.MfaRequiredError, MfaRequirements.PasskeyOnlyDescription));
            }

            if (await factors.IsRequiredForAsync(user) || await MfaRequirements.ClientRequiresAsync(applications, request.ClientId, cancellationToken))
            {
                audit.Write(AuditEvents.MfaRequired, user.Id, "no second factor enrolled");
                return ([], ErrorResponses.Reject(MfaRequirements.MfaRequiredError,
                    "This account must sign in with a second factor and has none yet: set up an authenticator app on the account " +
                    "page (" + RouteNames.TwoFactorPage + ") first."));
            }

            return ([AuthenticationMethods.Password], null);
        }

        var code = (string?)request.GetParameter(MfaRequirements.TotpParameter);
        if (string.IsNullOrWhiteSpace(code))
        {
            audit.Write(AuditEvents.MfaRequired, user.Id, "no code sent");
            return ([], ErrorResponses.Reject(MfaRequirements.MfaRequiredError,
                "This account has a second factor: send the current code of its authenticator app in the 'totp' parameter."));
        }

        var (result, _) = await factors.VerifyAsync(user, code, allowRecoveryCode: false, cancellationToken);
        return result switch
        {
            SecondFactorResult.Succeeded => ([AuthenticationMethods.Password, AuthenticationMethods.OneTimePassword, AuthenticationMethods.MultipleFactors], null),
            SecondFactorResult.LockedOut => ([], ErrorResponses.Reject(Errors.InvalidGrant,
                "Too many wrong codes: the second step of this account is locked for a while.")),
            _ => ([], ErrorResponses.Reject(Errors.InvalidGrant, "The authenticator code is not valid.")),
        };
    }

    internal static IResult SignIn(System.Security.Claims.ClaimsPrincipal principal) =>
        Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
