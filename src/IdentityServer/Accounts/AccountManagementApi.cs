using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Changes to existing accounts that end their logins: a password change by the user, and an administrator
/// disabling, enabling or deleting a user. Each revokes the user's refresh tokens.
/// </summary>
public static class AccountManagementApi
{
    /// <summary>
    /// Maps <c>POST /api/account/password</c>, <c>POST /api/users/{id}/disable</c>, <c>POST /api/users/{id}/enable</c>,
    /// <c>PUT /api/users/{id}/roles</c> and <c>DELETE /api/users/{id}</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapAccountManagementApi(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/api/account").WithTags("Accounts").RequireAccessToken();
        account.MapPost("/password", ChangePasswordAsync).DisableAntiforgery();

        var users = endpoints.MapGroup("/api/users").WithTags("Accounts")
            .RequireAccessToken(policy => policy.RequireClaim(Claims.Role, Roles.Admin));
        users.MapPost("/{id}/disable", DisableAsync).DisableAntiforgery();
        users.MapPost("/{id}/enable", EnableAsync).DisableAntiforgery();
        users.MapPut("/{id}/roles", SetRolesAsync).DisableAntiforgery();
        users.MapDelete("/{id}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext context,
        UserManager<ApplicationUser> users,
        TokenRevoker revoker,
        SecurityAudit audit)
    {
        if (!JsonBody.HasAcceptableContentType(context.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: "Send the request as application/json.");
        }

        var (body, bodyErrors) = await JsonBody.ReadAsync<ChangePasswordRequest>(context.Request);
        if (body is null)
        {
            return TypedResults.ValidationProblem(bodyErrors!, title: "The request is not valid.");
        }

        var user = await users.FindByIdAsync(context.User.GetClaim(Claims.Subject) ?? string.Empty);
        if (user is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only a user's own access token can change their password.");
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(body.CurrentPassword))
        {
            errors["currentPassword"] = ["The current password is required."];
        }

        if (string.IsNullOrEmpty(body.NewPassword))
        {
            errors["newPassword"] = ["A new password is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not valid.");
        }

        var result = await users.ChangePasswordAsync(
            user, AccountText.NormalizePassword(body.CurrentPassword), AccountText.NormalizePassword(body.NewPassword));
        if (!result.Succeeded)
        {
            var field = result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.PasswordMismatch))
                ? "currentPassword"
                : "newPassword";
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [.. result.Errors.Select(error => error.Description)] },
                title: "The password was not changed.");
        }

        audit.Write("password.changed", user.Id);
        await revoker.RevokeUserAsync(user.Id, "password changed", context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, TokenRevoker revoker)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }

        // Note: a lockout that never ends is how ASP.NET Core Identity disables an account; login and refresh
        // both check it.
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await revoker.RevokeUserAsync(user.Id, "disabled by an administrator", context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EnableAsync(
        string id, UserManager<ApplicationUser> users, SecurityAudit audit)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Write("user.enabled", user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, TokenRevoker revoker)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }

        await revoker.RevokeUserAsync(user.Id, "deleted by an administrator", context.RequestAborted);
        await users.DeleteAsync(user);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> SetRolesAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, IdentityHostDbContext database, SecurityAudit audit)
    {
        var (body, bodyErrors) = await JsonBody.ReadAsync<SetRolesRequest>(context.Request);
        if (body is null)
        {
            return TypedResults.ValidationProblem(bodyErrors!, title: "The request is not valid.");
        }

        var wanted = (body.Roles ?? []).Select(Roles.Canonicalize).ToList();
        if (wanted.Count == 0 || wanted.Any(role => role is null))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["roles"] = [$"Give at least one role, each one of: {string.Join(", ", Roles.All)}."] },
                title: "The request is not valid.");
        }

        if (context.User.GetClaim(Claims.Subject) == id && !wanted.Contains(Roles.Admin))
        {
            // Note: an administrator cannot demote themselves, so the last one cannot leave the server without any.
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["roles"] = ["Administrators cannot remove their own admin role."] },
                title: "The request is not valid.");
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }

        var before = await users.GetRolesAsync(user);
        var after = wanted.Select(role => role!).Distinct().ToList();
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(context.RequestAborted);
            Check(await users.RemoveFromRolesAsync(user, before.Except(after, StringComparer.OrdinalIgnoreCase)));
            Check(await users.AddToRolesAsync(user, after.Except(before, StringComparer.OrdinalIgnoreCase)));
            await transaction.CommitAsync(context.RequestAborted);
        });

        var roles = await users.GetRolesAsync(user);
        audit.Write("user.roles_changed", user.Id, $"from [{string.Join(", ", before)}] to [{string.Join(", ", roles)}]");
        return TypedResults.Ok(new UserResponse(user.Id, user.UserName!, [.. roles]));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Changing roles failed: " + string.Join("; ", result.Errors.Select(error => error.Code)));
        }
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such user.");
}
