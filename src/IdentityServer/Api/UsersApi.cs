using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mfa;
using IdentityHost.IdentityServer.Recovery;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// <c>/api/users</c>: reading an account (the user themselves or an administrator), and what administrators do to
/// accounts: disable, enable, set roles, delete. Disabling and deleting end the user's logins.
/// </summary>
public static class UsersApi
{
    /// <summary>
    /// Maps <c>GET /api/users/{id}</c> (<see cref="AuthorizationPolicies.SelfOrAdmin"/>), and, for administrators,
    /// <c>POST /api/users/{id}/disable</c>, <c>POST /api/users/{id}/enable</c>, <c>PUT /api/users/{id}/roles</c> and
    /// <c>DELETE /api/users/{id}</c>, <c>POST /api/users/{id}/password-reset</c>, which mails the user a reset link, and
    /// <c>POST /api/users/{id}/mfa/reset</c>, which removes the user's second factors and tells them by mail.
    /// </summary>
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var users = endpoints.MapGroup("/api/users").WithTags("Users").WithRequestValidation().DisableAntiforgery()
            .Answers(StatusCodes.Status404NotFound, "No user has this id.");
        users.MapGet("/{id}", GetAsync).WithName(RouteNames.GetUser).RequireAuthorization(AuthorizationPolicies.SelfOrAdmin);

        var admin = users.MapGroup(string.Empty).RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/{id}/disable", DisableAsync);
        admin.MapPost("/{id}/enable", EnableAsync);
        admin.MapPut("/{id}/roles", SetRolesAsync);
        admin.MapDelete("/{id}", DeleteAsync);
        admin.MapPost("/{id}/password-reset", SendPasswordResetAsync);
        admin.MapPost("/{id}/mfa/reset", ResetMfaAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(string id, UserManager<ApplicationUser> users)
    {
        var user = await users.FindByIdAsync(id);
        return user is null
            ? NoSuchUser()
            : TypedResults.Ok(UserResponse.For(user, [.. await users.GetRolesAsync(user)]));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, TokenRevoker revoker)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        // Note: a lockout that never ends is how ASP.NET Core Identity disables an account; login and refresh
        // both check it.
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await revoker.RevokeUserAsync(user.Id, "disabled by an administrator", context.RequestAborted);
        return TypedResults.NoContent();
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

    private static async Task<Results<NoContent, ProblemHttpResult>> EnableAsync(
        string id, UserManager<ApplicationUser> users, SecurityAudit audit)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Write(AuditEvents.UserEnabled, user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, TokenRevoker revoker)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        await revoker.RevokeUserAsync(user.Id, "deleted by an administrator", context.RequestAborted);
        await users.DeleteAsync(user);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> SetRolesAsync(
        string id, SetRolesRequest body, HttpContext context, UserManager<ApplicationUser> users, IdentityHostDbContext database,
        SecurityAudit audit)
    {
        var wanted = body.Roles!.Select(role => Roles.Canonicalize(role)!).Distinct().ToList();
        if (context.User.GetClaim(Claims.Subject) == id && !wanted.Contains(Roles.Admin))
        {
            // Note: an administrator cannot demote themselves, so the last one cannot leave the server without any.
            return ErrorResponses.Invalid("roles", "Administrators cannot remove their own admin role.");
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        var before = await users.GetRolesAsync(user);
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(context.RequestAborted);
            Check(await users.RemoveFromRolesAsync(user, before.Except(wanted, StringComparer.OrdinalIgnoreCase)));
            Check(await users.AddToRolesAsync(user, wanted.Except(before, StringComparer.OrdinalIgnoreCase)));
            await transaction.CommitAsync(context.RequestAborted);
        });

        var roles = await users.GetRolesAsync(user);
        audit.Write(AuditEvents.UserRolesChanged, user.Id, $"from [{string.Join(", ", before)}] to [{string.Join(", ", roles)}]");
        return TypedResults.Ok(UserResponse.For(user, [.. roles]));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> SendPasswordResetAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, PasswordRecovery recovery)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        // Note: the link goes to the user's own address; nobody but the user ever sees or chooses their password.
        return await recovery.SendByAdministratorAsync(user, context.RequestAborted)
            ? TypedResults.Accepted((string?)null)
            : ErrorResponses.Conflict("No email address", "The user has no email address to send a reset link to.");
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Changing roles failed: " + string.Join("; ", result.Errors.Select(error => error.Code)));
        }
    }

    private static ProblemHttpResult NoSuchUser() => ErrorResponses.NotFound("No such user.");
}
