using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Sessions;
using IdentityHost.IdentityServer.Users;
using IdentityHost.IdentityServer.Mfa;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// <c>/api/users</c>: reading an account (the user themselves or an administrator), and what administrators do to
/// accounts (<see cref="UserAdministration"/>, which the admin console calls too): search, create, disable, enable, set
/// roles, delete, send a reset link, list and end sessions. Disabling and deleting end the user's logins.
/// </summary>
public static class UsersApi
{
    /// <summary>
    /// Maps <c>GET /api/users/{id}</c> (<see cref="AuthorizationPolicies.SelfOrAdmin"/>), and, for administrators,
    /// <c>GET /api/users</c> (search by name or address prefix, with a cursor), <c>POST /api/users</c> (create, with a
    /// set-password link by mail), <c>POST /api/users/{id}/disable</c>, <c>POST /api/users/{id}/enable</c>,
    /// <c>PUT /api/users/{id}/roles</c>, <c>DELETE /api/users/{id}</c>, <c>POST /api/users/{id}/password-reset</c>, which
    /// mails the user a reset link, <c>GET/DELETE /api/users/{id}/sessions</c>, and
    /// <c>POST /api/users/{id}/mfa/reset</c>, which removes the user's second factors and tells them by mail.
    /// </summary>
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var users = endpoints.MapGroup("/api/users").WithTags("Users").WithRequestValidation().DisableAntiforgery();
        users.MapGet("/{id}", GetAsync).WithName(RouteNames.GetUser).RequireAuthorization(AuthorizationPolicies.SelfOrAdmin)
            .Answers(StatusCodes.Status404NotFound, NoSuchUserDescription);

        var admin = users.MapGroup(string.Empty).RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapGet(string.Empty, SearchAsync)
            .Answers(StatusCodes.Status400BadRequest, "The page size is not between 1 and 100, the search is too long, or the cursor is not one this search gave.");
        admin.MapPost(string.Empty, CreateAsync)
            .Answers(StatusCodes.Status409Conflict, "Another account has the username or the email address.");

        var one = admin.MapGroup(string.Empty).Answers(StatusCodes.Status404NotFound, NoSuchUserDescription);
        one.MapPost("/{id}/disable", DisableAsync).Answers(StatusCodes.Status409Conflict, OwnAccountDescription);
        one.MapPost("/{id}/enable", EnableAsync);
        one.MapPut("/{id}/roles", SetRolesAsync);
        one.MapDelete("/{id}", DeleteAsync).Answers(StatusCodes.Status409Conflict, OwnAccountDescription);
        one.MapPost("/{id}/password-reset", SendPasswordResetAsync)
            .Answers(StatusCodes.Status409Conflict, "The user has no email address to send a link to.");
        one.MapGet("/{id}/sessions", ListSessionsAsync);
        one.MapDelete("/{id}/sessions", EndSessionsAsync);
        one.MapPost("/{id}/mfa/reset", ResetMfaAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(string id, UserManager<ApplicationUser> users)
    {
        var user = await users.FindByIdAsync(id);
        return user is null
            ? NoSuchUser()
            : TypedResults.Ok(UserResponse.For(user, [.. await users.GetRolesAsync(user)]));
    }

    private static async Task<Results<Ok<UserPage>, ValidationProblem>> SearchAsync(
        [AsParameters] UserSearchQuery query, HttpContext context, UserDirectory directory)
    {
        var page = await directory.SearchAsync(query.Search, query.Cursor, query.Size, context.RequestAborted);
        return page is null
            ? ErrorResponses.Invalid("cursor", "The cursor is not one this search gave; start again without it.")
            : TypedResults.Ok(page);
    }

    /// <summary>
    /// Removes the user's authenticator and recovery codes (a lost phone): the next sign-in asks for the password only, or
    /// for a new enrolment where a second factor is required. Audited with the administrator's id; the user is mailed.
    /// Answers 204 whether or not there was anything to remove.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ResetMfaAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, SecondFactors factors)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        await factors.RemoveAsync(user, byAdministrator: context.User.FindFirst(Claims.Subject)?.Value ?? "an administrator", context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<UserSummary>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest body, HttpContext context, UserAdministration administration, LinkGenerator links)
    {
        var roles = body.Roles is { Count: > 0 } wanted ? [.. wanted.Select(role => Roles.Canonicalize(role)!).Distinct()] : new List<string> { Roles.User };
        var result = await administration.CreateAsync(body.Username, body.Email, roles, AdminId(context), context.RequestAborted);
        if (result.IsNameTaken)
        {
            return ErrorResponses.Conflict("Username already taken", "An account with this username already exists.");
        }

        if (result.IsEmailTaken)
        {
            return ErrorResponses.Conflict("Email already in use", "An account with this email address already exists.");
        }

        return result.User is { } user
            ? TypedResults.Created(links.GetPathByName(RouteNames.GetUser, new { id = user.Id }), user)
            : TypedResults.ValidationProblem(result.Errors!, title: "The user was not created.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(string id, HttpContext context, UserAdministration administration) =>
        Answer(await administration.DisableAsync(id, AdminId(context), context.RequestAborted));

    private static async Task<Results<NoContent, ProblemHttpResult>> EnableAsync(string id, HttpContext context, UserAdministration administration) =>
        Answer(await administration.EnableAsync(id, AdminId(context), context.RequestAborted));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext context, UserAdministration administration) =>
        Answer(await administration.DeleteAsync(id, AdminId(context), context.RequestAborted));

    private static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> SetRolesAsync(
        string id, SetRolesRequest body, HttpContext context, UserAdministration administration)
    {
        var wanted = body.Roles!.Select(role => Roles.Canonicalize(role)!).Distinct().ToList();
        var (outcome, user) = await administration.SetRolesAsync(id, wanted, AdminId(context), context.RequestAborted);
        return outcome switch
        {
            // Note: an administrator cannot demote themselves, so the last one cannot leave the server without any.
            AdminOutcome.OwnAccount => ErrorResponses.Invalid("roles", "Administrators cannot remove their own admin role."),
            AdminOutcome.NotFound => NoSuchUser(),
            _ => TypedResults.Ok(new UserResponse(user!.Id, user.Username, user.Roles, user.Email, user.EmailVerified)),
        };
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> SendPasswordResetAsync(
        string id, HttpContext context, UserAdministration administration) =>
        // Note: the link goes to the user's own address; nobody but the user ever sees or chooses their password.
        await administration.SendResetLinkAsync(id, AdminId(context), context.RequestAborted) switch
        {
            AdminOutcome.Done => TypedResults.Accepted((string?)null),
            AdminOutcome.NoEmail => ErrorResponses.Conflict("No email address", "The user has no email address to send a reset link to."),
            _ => NoSuchUser(),
        };

    private static async Task<Results<Ok<IReadOnlyList<SessionInfo>>, ProblemHttpResult>> ListSessionsAsync(
        string id, HttpContext context, UserAdministration administration) =>
        await administration.SessionsAsync(id, context.RequestAborted) is { } sessions ? TypedResults.Ok(sessions) : NoSuchUser();

    private static async Task<Results<NoContent, ProblemHttpResult>> EndSessionsAsync(
        string id, HttpContext context, UserAdministration administration) =>
        await administration.EndSessionsAsync(id, AdminId(context), context.RequestAborted) is null ? NoSuchUser() : TypedResults.NoContent();

    private static Results<NoContent, ProblemHttpResult> Answer(AdminOutcome outcome) => outcome switch
    {
        AdminOutcome.Done => TypedResults.NoContent(),
        AdminOutcome.OwnAccount => ErrorResponses.Conflict("Own account", "Administrators cannot disable or delete their own account."),
        _ => NoSuchUser(),
    };

    /// <summary>The acting administrator: the Admin policy let only a user's token through.</summary>
    private static string AdminId(HttpContext context) => context.User.GetClaim(Claims.Subject) ?? string.Empty;

    private static ProblemHttpResult NoSuchUser() => ErrorResponses.NotFound("No such user.");

    private const string NoSuchUserDescription = "No user has this id.";

    private const string OwnAccountDescription = "Administrators cannot disable or delete their own account.";
}
