using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Resources;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// The token exchange grant (RFC 8693): a service holding a user's access token gets one for another API, acting for
/// that user. OpenIddict has authenticated the client, checked it may use the grant, and validated the subject token
/// (one of this server's access tokens, not revoked). This checks the target: the audiences the request names
/// (<c>audience</c>, or <c>resource</c> URIs of <c>OpenIddict:Apis</c>) must all be among the client's
/// <c>TokenExchangeAudiences</c>; a refused exchange is audited. The new token names the caller in <c>act</c>
/// (RFC 8693 section 4.1), keeping any earlier actor inside it.
/// </summary>
internal sealed class TokenExchange(
    IOpenIddictApplicationManager applications,
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    UserPrincipalFactory principals,
    IOptions<ApiResourceOptions> apis,
    SecurityAudit audit)
{
    public async Task<IResult> ExchangeAsync(HttpContext context, OpenIddictRequest request)
    {
        var subjectToken = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (subjectToken is null || request.SubjectTokenType != TokenTypeIdentifiers.AccessToken)
        {
            return Refused(null, Errors.InvalidRequest, "The subject_token must be an access token issued by this server.");
        }

        var subject = subjectToken.GetClaim(Claims.Subject);
        var requested = request.GetAudiences()
            .Concat(request.GetResources().Select(resource => apis.Value.FindByUri(resource)?.Name ?? resource))
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();
        if (requested.IsEmpty)
        {
            return Refused(subject, Errors.InvalidTarget,
                "Name the API the new token is for, with 'audience' (its name) or 'resource' (its URI).");
        }

        var allowed = await AllowedAudiencesAsync(request.ClientId!, context.RequestAborted);
        if (requested.FirstOrDefault(audience => !allowed.Contains(audience)) is { } refused)
        {
            return Refused(subject, Errors.InvalidTarget, $"This client may not exchange tokens for the audience '{refused}'.");
        }

        // Note: never more than the subject token was granted, and no refresh token: the caller keeps exchanging the
        // user's current access token instead.
        var granted = subjectToken.GetScopes().Remove(Scopes.OfflineAccess);
        var scopes = request.GetScopes() is { Length: > 0 } asked ? asked.Intersect(granted).ToImmutableArray() : granted;

        ClaimsPrincipal principal;
        if (subject is not null && subject == subjectToken.GetClaim(Claims.ClientId))
        {
            // Note: the subject is a client acting for itself (client_credentials): its token names no user.
            principal = principals.CreateForClient(subject, scopes);
        }
        else
        {
            var user = subject is null ? null : await users.FindByIdAsync(subject);
            if (user is null || await signIn.IsBarredAsync(user))
            {
                return Refused(subject, Errors.InvalidGrant, "The subject_token's user may not have tokens now.");
            }

            principal = await principals.CreateAsync(user, scopes);
            // Note: how the user signed in travels with the exchanged token, so an API that demands MFA sees it.
            principal.SetAuthenticationMethods(MfaRequirements.MethodsOf(subjectToken));
        }

        principal.SetResources(requested);
        ((ClaimsIdentity)principal.Identity!).SetClaim(ActorClaim, Actor(request.ClientId!, subjectToken));
        // Note: only the access token names the actor; destinations are set again to cover the claim just added.
        principal.SetDestinations(claim => claim.Type == ActorClaim ? [Destinations.AccessToken] : claim.GetDestinations());
        audit.Write(AuditEvents.TokenExchanged, subject, $"for {string.Join(", ", requested)}");
        return TokenEndpoint.SignIn(principal);
    }

    /// <summary>The claim that names who acts for the subject (RFC 8693 section 4.1).</summary>
    public const string ActorClaim = "act";

    /// <summary><c>{"sub": client}</c>, with the subject token's own <c>act</c> (an earlier exchange) nested inside it.</summary>
    private static JsonObject Actor(string clientId, ClaimsPrincipal subjectToken)
    {
        var actor = new JsonObject { [Claims.Subject] = clientId };
        if (subjectToken.GetClaim(ActorClaim) is { Length: > 0 } earlier)
        {
            try
            {
                actor[ActorClaim] = JsonNode.Parse(earlier);
            }
            catch (JsonException)
            {
                // Note: an actor claim this server did not write is dropped rather than passed on.
            }
        }

        return actor;
    }

    private async Task<HashSet<string>> AllowedAudiencesAsync(string clientId, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return [];
        }

        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(ClientProperties.TokenExchangeAudiences, out var value) &&
               value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(item => item.GetString()).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];
    }

    // Note: audited by TokenExchangeAudit, with every refusal OpenIddict makes itself.
    private static IResult Refused(string? subject, string error, string description)
    {
        _ = subject;
        return ErrorResponses.Reject(error, description);
    }
}
