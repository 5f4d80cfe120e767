using System.Security.Claims;
using IdentityHost.SampleResourceApi.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentityHost.SampleResourceApi.Greetings;

/// <summary>The sample endpoints: one anonymous, one for any user, one for administrators, one for multi-factor sign-ins.</summary>
public static class GreetingsApi
{
    /// <summary>
    /// Maps <c>GET /api/public</c>, <c>GET /api/protected</c> and <c>GET /api/admin</c> (users), and
    /// <c>GET /api/machine</c> (clients acting for themselves), and <c>GET /api/mfa</c> (users who signed in with a second factor).
    /// </summary>
    public static IEndpointRouteBuilder MapGreetingsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Greetings");
        api.MapGet("/public", () => TypedResults.Ok(new GreetingResponse("Welcome, guest!", null, [])));
        Protect(api.MapGet("/protected", Greet), AuthenticationExtensions.UserPolicy);
        Protect(api.MapGet("/admin", Greet), AuthenticationExtensions.AdminPolicy);
        Protect(api.MapGet("/machine", GreetClient), AuthenticationExtensions.MachinePolicy);
        Protect(api.MapGet("/mfa", Greet), AuthenticationExtensions.MfaPolicy);
        return endpoints;
    }

    /// <summary>
    /// Requires <paramref name="policy"/>, and documents its answers. Note: 401 and 403 are the Bearer scheme's (RFC
    /// 6750): an empty body, the reason in WWW-Authenticate.
    /// </summary>
    private static void Protect(RouteHandlerBuilder endpoint, string policy) =>
        endpoint.RequireAuthorization(policy)
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status403Forbidden);

    private static Ok<GreetingResponse> GreetClient(ClaimsPrincipal client)
    {
        var clientId = client.FindFirst("client_id")?.Value ?? "unknown";
        return TypedResults.Ok(new GreetingResponse($"Welcome, {clientId}!", clientId, []));
    }

    private static Ok<GreetingResponse> Greet(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? user.FindFirst("sub")?.Value ?? "unknown";
        var roles = user.FindAll("role").Select(claim => claim.Value).ToArray();
        return TypedResults.Ok(new GreetingResponse($"Welcome, {name}!", name, roles));
    }
}
