using System.Text.RegularExpressions;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Request rules OpenIddict leaves to the server, checked before its own validation of authorization, pushed
/// authorization and token requests: no parameter twice (RFC 6749 sections 3.1 and 3.2), PKCE values of the form
/// RFC 7636 sections 4.1 and 4.2 define, and a token request without client credentials answered as the failed client
/// authentication it is (RFC 6749 section 5.2).
/// </summary>
internal static partial class RequestParameterRules
{
    /// <summary>
    /// Parameters a request may repeat: RFC 8707 resource indicators and RFC 8693 audiences name one value each.
    /// </summary>
    private static readonly HashSet<string> Repeatable = new(StringComparer.Ordinal) { Parameters.Resource, Parameters.Audience };

    public static IEnumerable<OpenIddictServerHandlerDescriptor> Descriptors { get; } =
    [
        Descriptor<ValidateAuthorizationRequestContext, AuthorizationRequestRules>(),
        Descriptor<ValidatePushedAuthorizationRequestContext, PushedAuthorizationRequestRules>(),
        Descriptor<ValidateTokenRequestContext, TokenRequestRules>(),
    ];

    /// <summary>The parameter given more than once, if any.</summary>
    public static string? RepeatedParameter(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (name, value) in request.GetParameters())
        {
            if (!Repeatable.Contains(name) && value.Count > 1)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// A code verifier or challenge as RFC 7636 defines them: 43 to 128 characters of letters, digits and <c>-._~</c>;
    /// an S256 challenge (the base64url of a SHA-256) is exactly 43.
    /// </summary>
    public static bool IsPkceValue(string value, int minimum = 43, int maximum = 128) =>
        value.Length >= minimum && value.Length <= maximum && PkceCharacters().IsMatch(value);

    private static void Check(BaseValidatingContext context, OpenIddictRequest request)
    {
        if (RepeatedParameter(request) is { } repeated)
        {
            context.Reject(Errors.InvalidRequest, $"The '{repeated}' parameter must not be included more than once.");
            return;
        }

        // Note: only S256 is accepted (OpenIddict refuses plain), and its challenge is always 43 characters long.
        if (request.CodeChallenge is { Length: > 0 } challenge && request.CodeChallengeMethod == CodeChallengeMethods.Sha256 &&
            !IsPkceValue(challenge, minimum: 43, maximum: 43))
        {
            context.Reject(Errors.InvalidRequest,
                "The 'code_challenge' parameter must be the base64url-encoded SHA-256 of the code verifier: 43 characters (RFC 7636 section 4.2).");
            return;
        }

        if (request.CodeVerifier is { Length: > 0 } verifier && !IsPkceValue(verifier))
        {
            context.Reject(Errors.InvalidRequest,
                "The 'code_verifier' parameter must be 43 to 128 characters of letters, digits and '-._~' (RFC 7636 section 4.1).");
        }
    }

    private static OpenIddictServerHandlerDescriptor Descriptor<TContext, THandler>()
        where TContext : BaseValidatingContext
        where THandler : class, IOpenIddictServerHandler<TContext>, new() =>
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<THandler>()
            .SetOrder(int.MinValue + 50_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    [GeneratedRegex("^[A-Za-z0-9._~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PkceCharacters();

    private sealed class AuthorizationRequestRules : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            Check(context, context.Request);
            return default;
        }
    }

    private sealed class PushedAuthorizationRequestRules : IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>
    {
        public ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
        {
            Check(context, context.Request);
            return default;
        }
    }

    private sealed class TokenRequestRules : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            Check(context, context.Request);
            if (context.IsRejected)
            {
                return default;
            }

            // Note: RFC 6749 section 5.2: a request that names no client, or a client_credentials request with no client
            // credentials, failed client authentication (invalid_client, 401), not a malformed request (OpenIddict says
            // invalid_request). Basic credentials are already in the request by now.
            var request = context.Request;
            if (string.IsNullOrEmpty(request.ClientId))
            {
                context.Reject(Errors.InvalidClient, "Client authentication is required: send client_id (and the client's credentials).");
            }
            else if (request.IsClientCredentialsGrantType() && string.IsNullOrEmpty(request.ClientSecret) &&
                     string.IsNullOrEmpty(request.ClientAssertion))
            {
                context.Reject(Errors.InvalidClient, "Client authentication is required for the client_credentials grant.");
            }

            return default;
        }
    }
}
