using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>
/// Writes the 401 and 403 answers: RFC 6750 <c>WWW-Authenticate</c> headers, naming the RFC 9728 metadata document,
/// plus an RFC 7807 body.
/// </summary>
internal static class BearerChallenge
{
    public static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        // Note: the contract is error="invalid_token" on every 401, a missing token included, so clients
        // handle one answer; RFC 6750 §3.1 merely suggests omitting the code when no token was sent.
        context.HandleResponse();
        var description = context.AuthenticateFailure switch
        {
            null => "An access token is required.",
            SecurityTokenExpiredException => "The access token has expired.",
            SecurityTokenInvalidAudienceException => "The access token is not meant for this API.",
            SecurityTokenInvalidIssuerException => "The access token was issued by an untrusted issuer.",
            SecurityTokenInvalidTypeException => "The token is not an access token.",
            _ => "The access token is not valid.",
        };

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"invalid_token\", error_description=\"{description}\", {ResourceMetadataParameter(context.HttpContext)}";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: description)
            .ExecuteAsync(context.HttpContext);
    }

    public static async Task WriteForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (NeedsMfa(context.HttpContext) && !context.HttpContext.User.HasClaim("amr", "mfa"))
        {
            // Note: RFC 9470 (step-up): the client asks the authorization server again with these acr_values.
            const string Description = "This resource needs a sign-in with a second factor.";
            context.Response.Headers.WWWAuthenticate =
                $"Bearer error=\"insufficient_user_authentication\", error_description=\"{Description}\", " +
                $"acr_values=\"{AuthenticationExtensions.MultiFactorLevel}\", {ResourceMetadataParameter(context.HttpContext)}";
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: Description)
                .ExecuteAsync(context.HttpContext);
            return;
        }

        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", {ResourceMetadataParameter(context.HttpContext)}";
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "The access token does not grant access to this resource.")
            .ExecuteAsync(context.HttpContext);
    }

    /// <summary>Whether the endpoint being called requires <see cref="AuthenticationExtensions.MfaPolicy"/>.</summary>
    private static bool NeedsMfa(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Any(data => data.Policy == AuthenticationExtensions.MfaPolicy) == true;

    /// <summary>
    /// Note: RFC 9728 section 5.1: every challenge names this API's metadata document, so a client that meets the API
    /// first can find the authorization server to get a token from.
    /// </summary>
    private static string ResourceMetadataParameter(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<ResourceApiOptions>>().Value;
        return $"resource_metadata=\"{ProtectedResourceMetadata.DocumentUrl(ProtectedResourceMetadata.IdentifierOf(context, options)).AbsoluteUri}\"";
    }
}
