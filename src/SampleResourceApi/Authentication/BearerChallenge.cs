using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>
/// Writes the 401 and 403 answers: RFC 6750 <c>WWW-Authenticate</c> headers plus an RFC 7807 body.
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
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{description}\"";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: description)
            .ExecuteAsync(context.HttpContext);
    }

    public static async Task WriteForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "The access token does not grant access to this resource.")
            .ExecuteAsync(context.HttpContext);
    }
}
