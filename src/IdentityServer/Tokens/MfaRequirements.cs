using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>Where a sign-in must have had a second factor, and how tokens say how the user signed in (RFC 8176 <c>amr</c>, <c>acr</c>).</summary>
internal static class MfaRequirements
{
    /// <summary>The error of a token request that needs a second factor it did not bring.</summary>
    public const string MfaRequiredError = "mfa_required";

    /// <summary>The parameter of the password grant (and the seed login) that carries the authenticator code (Keycloak's name).</summary>
    public const string TotpParameter = "totp";

    /// <summary>The <c>error_description</c> for a user whose only second factor is a passkey.</summary>
    public const string PasskeyOnlyDescription =
        "This account's second factor is a passkey, which cannot be used with this grant: sign in through the browser " +
        "(the authorization code flow), or set up an authenticator app on the account page (" + RouteNames.TwoFactorPage + ") to use its code here.";

    /// <summary>Whether the client is configured with <c>RequireMfa</c>.</summary>
    public static async Task<bool> ClientRequiresAsync(IOpenIddictApplicationManager applications, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applications);
        if (string.IsNullOrEmpty(clientId) || await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return false;
        }

        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(ClientProperties.RequireMfa, out var value) && value.ValueKind == JsonValueKind.True;
    }

    /// <summary>
    /// The page a browser sign-in of <paramref name="user"/> (whose session proved <paramref name="methods"/>) must go
    /// through before it may serve <paramref name="clientId"/>: the second step when the user has a factor, else the
    /// guided enrolment, when the request <paramref name="asked"/> for one (<c>acr_values</c>), the user's role requires
    /// one or the client does (<c>RequireMfa</c>), and the session had none; null when nothing more is needed.
    /// </summary>
    public static async Task<string?> SecondFactorPageAsync(
        SecondFactors factors, IOpenIddictApplicationManager applications, ApplicationUser user, IReadOnlyCollection<string> methods,
        string? clientId, bool asked, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Contains(AuthenticationMethods.MultipleFactors, StringComparer.Ordinal) ||
            !(asked || await factors.IsRequiredForAsync(user) || await ClientRequiresAsync(applications, clientId, cancellationToken)))
        {
            return null;
        }

        return await factors.HasSecondFactorAsync(user.Id, cancellationToken) ? RouteNames.SecondFactorPage : RouteNames.EnrolPage;
    }

    /// <summary>Whether the authorization request asks, in <c>acr_values</c>, for a multi-factor sign-in.</summary>
    public static bool RequestAsksForMfa(OpenIddictRequest request) =>
        request.GetAcrValues().Contains(AuthenticationMethods.MultiFactorLevel, StringComparer.Ordinal);

    /// <summary>Sets <paramref name="methods"/> as the principal's <c>amr</c>, and the <c>acr</c> they reach.</summary>
    public static ClaimsPrincipal SetAuthenticationMethods(this ClaimsPrincipal principal, IReadOnlyCollection<string> methods)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (methods.Count == 0)
        {
            return principal;
        }

        principal.SetClaims(ClaimNames.AuthenticationMethods, [.. methods.Distinct(StringComparer.Ordinal)]);
        principal.SetClaim(ClaimNames.AuthenticationContext, AuthenticationMethods.LevelOf(methods));
        // Note: the other claims' destinations were set when the principal was made; these go to both tokens, for the
        // client (identity token) and for the APIs that demand a second factor (access token).
        ImmutableArray<string> both = [Destinations.AccessToken, Destinations.IdentityToken];
        return principal.SetDestinations(principal.GetDestinations()
            .SetItem(ClaimNames.AuthenticationMethods, both)
            .SetItem(ClaimNames.AuthenticationContext, both));
    }

    /// <summary>The <c>amr</c> values of <paramref name="principal"/>.</summary>
    public static string[] MethodsOf(ClaimsPrincipal? principal) =>
        principal is null ? [] : [.. principal.FindAll(ClaimNames.AuthenticationMethods).Select(claim => claim.Value)];
}
