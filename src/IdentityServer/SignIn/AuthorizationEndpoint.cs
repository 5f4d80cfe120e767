using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// The <c>/connect/authorize</c> passthrough. OpenIddict has already checked the client, the exact redirect URI,
/// the response type and PKCE; this decides who the user is (the sign-in cookie, or the sign-in page), whether
/// they consented (third-party clients), and issues the authorization code.
/// </summary>
internal static class AuthorizationEndpoint
{
    /// <summary>
    /// Added to the authorization request by the consent page when the user declines. Note: anyone can add it, but
    /// all it can do is make the request fail with access_denied.
    /// </summary>
    internal const string ConsentDeniedParameter = "identityhost_consent_denied";

    public static async Task<IResult> AuthorizeAsync(
        HttpContext context,
        SignInManager<ApplicationUser> signIn,
        IOpenIddictApplicationManager applications,
        IOpenIddictAuthorizationManager authorizations,
        UserPrincipalFactory principals,
        SecondFactors factors,
        TimeProvider clock)
    {
        if (context.GetOpenIddictServerResponse() is { Error.Length: > 0 } failure)
        {
            return ErrorPage.For(failure.Error, failure.ErrorDescription);
        }

        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        // Note: the security stamp is checked on every authorization request, not only every 30 minutes as the
        // cookie handler does: after a password change, a stolen session must not get new tokens.
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await signIn.ValidateSecurityStampAsync(session.Principal) : null;
        var signedInAt = SessionClaims.SignedInAt(session);
        // Note: auth_time is whole seconds, so the age is rounded up; max_age=0 always asks (OpenID Connect says
        // it means prompt=login), and the sign-in page's return drops max_age, so that happens once.
        var tooOld = request.MaxAge is { } maxAge && signedInAt is { } at &&
            clock.GetUtcNow() - at > TimeSpan.FromSeconds(maxAge);

        if (user is null || await signIn.IsBarredAsync(user) || request.HasPromptValue(PromptValues.Login) || tooOld)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return ErrorResponses.Reject(Errors.LoginRequired, "The user is not signed in.");
            }

            // Note: prompt=login, select_account and max_age are taken out of the request the sign-in page returns to:
            // the user has just signed in (as whoever they chose), and would otherwise be sent to sign in again and
            // again (max_age=0).
            return Results.Challenge(
                new AuthenticationProperties
                {
                    RedirectUri = RequestUrl(context.Request, request, dropMaxAge: true, PromptValues.Login, PromptValues.SelectAccount),
                },
                [IdentityConstants.ApplicationScheme]);
        }

        // Note: a second factor is asked for (or its enrolment) when the request names the multi-factor acr, the client
        // requires it, or the user's role does, and this session did not have one; the page returns to this request.
        var methods = SessionClaims.MethodsOf(session.Principal);
        if (await MfaRequirements.SecondFactorPageAsync(factors, applications, user, methods, request.ClientId,
                MfaRequirements.RequestAsksForMfa(request), context.RequestAborted) is { } page)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return ErrorResponses.Reject(Errors.InteractionRequired, "The user must sign in with a second factor.");
            }

            return Results.Redirect(page + "?returnUrl=" +
                Uri.EscapeDataString(RequestUrl(context.Request, request, dropMaxAge: false, PromptValues.Login)));
        }

        if (request.HasPromptValue(PromptValues.SelectAccount))
        {
            // Note: one account per browser session, so "selecting" is confirming the signed-in one or signing in as another.
            return Results.Redirect(RouteNames.SelectAccountPage + "?returnUrl=" +
                Uri.EscapeDataString(RequestUrl(context.Request, request, dropMaxAge: false, PromptValues.SelectAccount)));
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("OpenIddict has validated the client; it must exist.");
        var applicationId = await applications.GetIdAsync(application);
        var scopes = request.GetScopes();
        var mustAsk = request.HasPromptValue(PromptValues.Consent);
        if (!mustAsk && await applications.HasConsentTypeAsync(application, ConsentTypes.Explicit))
        {
            mustAsk = true;
            await foreach (var _ in authorizations.FindAsync(user.Id, applicationId!, Statuses.Valid, AuthorizationTypes.Permanent, scopes))
            {
                mustAsk = false;
                break;
            }
        }

        if (mustAsk)
        {
            if (request.GetParameter(ConsentDeniedParameter) is not null)
            {
                return ErrorResponses.Reject(Errors.AccessDenied, "The user declined to give this application access.");
            }

            if (request.HasPromptValue(PromptValues.None))
            {
                return ErrorResponses.Reject(Errors.ConsentRequired, "The user has not consented to this application.");
            }

            // Note: prompt=consent asks again whatever was given before (any client); the consent page returns to the
            // request without it, so the answer just given is the one that counts.
            return Results.Redirect(RouteNames.ConsentPage + "?returnUrl=" +
                Uri.EscapeDataString(RequestUrl(context.Request, request, dropMaxAge: false, PromptValues.Consent)));
        }

        var principal = await principals.CreateAsync(user, scopes, request.GetResources());
        principal.SetClaim(ClaimNames.LoginStarted, clock.GetUtcNow().ToUnixTimeMilliseconds());
        principal.SetAuthenticationMethods(methods);
        if (signedInAt is { } authenticationTime)
        {
            // Note: the code keeps every claim; the token endpoint gives auth_time its identity-token destination.
            principal.SetClaim(Claims.AuthenticationTime, authenticationTime.ToUnixTimeSeconds());
        }

        // Note: the code is not tied to the permanent consent authorization: OpenIddict gives each login an ad-hoc
        // authorization of its own, so ending one login (a revoked refresh token, a signed-out session) ends its tokens
        // and no other login's, and the consent stays.
        return Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The authorization request as a GET URL on this server, to come back to after the sign-in, account or consent
    /// page. Note: built from the parameters OpenIddict already extracted, so a POSTed request (form) and a GET one come
    /// back the same way; <paramref name="dropPrompts"/> are taken out of <c>prompt</c>, and <c>max_age</c> too when
    /// <paramref name="dropMaxAge"/>.
    /// </summary>
    private static string RequestUrl(HttpRequest http, OpenIddictRequest request, bool dropMaxAge, params string[] dropPrompts)
    {
        var query = new QueryBuilder();
        foreach (var (name, parameter) in request.GetParameters())
        {
            IEnumerable<string?> values = (StringValues)parameter;
            if (dropMaxAge && name == Parameters.MaxAge)
            {
                continue;
            }

            if (name == Parameters.Prompt)
            {
                values = [string.Join(' ', values.SelectMany(value => (value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Where(value => !dropPrompts.Contains(value, StringComparer.Ordinal)))];
            }

            foreach (var value in values.Where(value => !string.IsNullOrEmpty(value)))
            {
                query.Add(name, value!);
            }
        }

        return http.PathBase + http.Path + query.ToQueryString();
    }
}
