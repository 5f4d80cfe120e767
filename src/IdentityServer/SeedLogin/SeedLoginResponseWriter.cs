using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>
/// Answers a failed seed login as problem details, as the seed project did: 401 for bad credentials (OAuth's
/// <c>invalid_grant</c>), 400 with <c>"error": "mfa_required"</c> when the password was right but a second factor is
/// missing, otherwise the status OpenIddict chose. A successful login keeps OpenIddict's token response.
/// </summary>
internal sealed class SeedLoginResponseWriter : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<SeedLoginResponseWriter>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ProcessJsonResponse<ApplyTokenResponseContext>.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Transaction.GetHttpRequest()!;
        if (!SeedLoginRequestReader.IsSeedLogin(http) || string.IsNullOrEmpty(context.Response.Error))
        {
            return;
        }

        if (context.Response.Error == "mfa_required")
        {
            // Note: the same error code as the token endpoint's, as an extension member, so a client tells it apart.
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Second factor required",
                    detail: context.Response.ErrorDescription, extensions: new Dictionary<string, object?> { ["error"] = "mfa_required" })
                .ExecuteAsync(http.HttpContext);
            context.HandleRequest();
            return;
        }

        var invalidCredentials = context.Response.Error == Errors.InvalidGrant;
        var status = invalidCredentials
            ? StatusCodes.Status401Unauthorized
            : http.HttpContext.Response.StatusCode is >= 400 and var chosen ? chosen : StatusCodes.Status400BadRequest;
        await ErrorResponses.Problem(status, invalidCredentials ? "Invalid credentials" : "Login failed",
                context.Response.ErrorDescription ?? context.Response.Error)
            .ExecuteAsync(http.HttpContext);
        context.HandleRequest();
    }
}
