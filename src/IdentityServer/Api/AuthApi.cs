using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Validation.AspNetCore;

namespace IdentityHost.IdentityServer.Api;

/// <summary><c>/api/auth</c>: creating an account, and the seed project's JSON login.</summary>
public static class AuthApi
{
    /// <summary>
    /// Maps <c>POST /api/auth/register</c> (rate limited as registrations) and <c>POST /api/auth/login</c>, the token
    /// endpoint at the seed project's address (rate limited as a password check; see SeedLogin).
    /// </summary>
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var auth = endpoints.MapGroup("/api/auth").WithTags("Auth").WithRequestValidation();
        auth.MapPost("/register", RegisterAsync)
            .RequireRateLimiting(RateLimitPolicies.Registration)
            .Answers(StatusCodes.Status403Forbidden, "A role other than 'user' was asked for without an administrator's token.")
            .Answers(StatusCodes.Status409Conflict, "The username is taken.")
            .DisableAntiforgery();
        auth.MapPost("/login", TokenEndpoint.ExchangeAsync)
            .RequireRateLimiting(RateLimitPolicies.PasswordCheck)
            .Accepts<SeedLogin.SeedLoginRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Answers(StatusCodes.Status401Unauthorized, "The username or password is incorrect, or the account is locked or disabled.")
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest body,
        HttpContext context,
        UserRegistration registration,
        IAuthorizationService authorization,
        LinkGenerator links)
    {
        var userName = AccountText.NormalizeUserName(body.Username);
        if (userName.Length == 0)
        {
            return ErrorResponses.Invalid("username", "A username is required.", RegistrationTitle);
        }

        var role = body.Role is null ? Roles.User : Roles.Canonicalize(body.Role)!;
        if (role != Roles.User)
        {
            // Note: only an admin may create accounts with elevated roles; anyone may self-register as a user.
            var caller = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (caller.Principal is null || !(await authorization.AuthorizeAsync(caller.Principal, AuthorizationPolicies.Admin)).Succeeded)
            {
                return ErrorResponses.Forbidden($"Only an administrator can register a user with the '{role}' role.");
            }
        }

        var result = await registration.RegisterAsync(
            userName, AccountText.NormalizePassword(body.Password), role, context.RequestAborted, body.Email);

        if (result.NameTaken)
        {
            return ErrorResponses.Conflict("Username already taken", "An account with this username already exists.");
        }

        if (result.EmailTaken)
        {
            return ErrorResponses.Conflict("Email already in use", "An account with this email address already exists.");
        }

        if (result.User is null)
        {
            return TypedResults.ValidationProblem(result.Errors, title: RegistrationTitle);
        }

        var response = UserResponse.For(result.User, result.Roles);
        return TypedResults.Created(links.GetPathByName(RouteNames.GetUser, new { id = result.User.Id }), response);
    }

    private const string RegistrationTitle = "The registration request is not valid.";
}
