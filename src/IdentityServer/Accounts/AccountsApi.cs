using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>The account endpoints: registration under <c>/api/auth</c> and user look-up under <c>/api/users</c>.</summary>
public static class AccountsApi
{
    /// <summary>Maps <c>POST /api/auth/register</c> and <c>GET /api/users/{id}</c>.</summary>
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/register", RegisterAsync).DisableAntiforgery();

        var usersGroup = endpoints.MapGroup("/api/users").WithTags("Accounts").RequireAccessToken();
        usersGroup.MapGet("/{id}", GetUserAsync).WithName(GetUserRoute);
        return endpoints;
    }

    private const string GetUserRoute = "GetUser";

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpContext context,
        UserRegistration registration,
        LinkGenerator links)
    {
        if (!JsonBody.HasAcceptableContentType(context.Request))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the registration as application/json.");
        }

        var (body, bodyErrors) = await JsonBody.ReadAsync<RegisterRequest>(context.Request);
        if (body is null)
        {
            return TypedResults.ValidationProblem(bodyErrors!, title: "The registration request is not valid.");
        }

        var errors = new Dictionary<string, string[]>();
        var userName = AccountText.NormalizeUserName(body.Username);
        if (userName.Length == 0)
        {
            errors["username"] = ["A username is required."];
        }

        if (string.IsNullOrEmpty(body.Password))
        {
            errors["password"] = ["A password is required."];
        }

        var role = body.Role is null ? Roles.User : Roles.Canonicalize(body.Role);
        if (role is null)
        {
            errors["role"] = [$"The role must be one of: {string.Join(", ", Roles.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The registration request is not valid.");
        }

        if (role != Roles.User)
        {
            // Note: only an admin may create accounts with elevated roles; anyone may self-register as a user.
            var caller = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (caller.Principal?.HasClaim(Claims.Role, Roles.Admin) != true)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden",
                    detail: $"Only an administrator can register a user with the '{role}' role.");
            }
        }

        var result = await registration.RegisterAsync(
            userName, AccountText.NormalizePassword(body.Password), role!, context.RequestAborted);

        if (result.NameTaken)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Username already taken",
                detail: "An account with this username already exists.");
        }

        if (result.User is null)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The registration request is not valid.");
        }

        var response = new UserResponse(result.User.Id, result.User.UserName!, result.Roles);
        return TypedResults.Created(links.GetPathByName(GetUserRoute, new { id = result.User.Id }), response);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUserAsync(
        string id,
        HttpContext context,
        UserManager<ApplicationUser> users)
    {
        var isAdmin = context.User.HasClaim(Claims.Role, Roles.Admin);
        if (!isAdmin && context.User.GetClaim(Claims.Subject) != id)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: "Only an administrator or the user themselves can read this account.");
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such user.");
        }

        return TypedResults.Ok(new UserResponse(user.Id, user.UserName!, [.. await users.GetRolesAsync(user)]));
    }
}
