using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary><c>/api/account</c>: what a signed-in user does to their own account, with their own access token.</summary>
public static class AccountApi
{
    /// <summary>Maps <c>POST /api/account/password</c>, which changes the caller's password and ends their logins.</summary>
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var account = endpoints.MapGroup("/api/account").WithTags("Account").WithRequestValidation()
            .RequireAuthorization(AuthorizationPolicies.AccessToken)
            .DisableAntiforgery();
        account.MapPost("/password", ChangePasswordAsync);
        return endpoints;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest body,
        HttpContext context,
        UserManager<ApplicationUser> users,
        TokenRevoker revoker,
        SecurityAudit audit)
    {
        var user = await users.FindByIdAsync(context.User.GetClaim(Claims.Subject) ?? string.Empty);
        if (user is null)
        {
            return ErrorResponses.Forbidden("Only a user's own access token can change their password.");
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

        audit.Write(AuditEvents.PasswordChanged, user.Id);
        await revoker.RevokeUserAsync(user.Id, "password changed", context.RequestAborted);
        return TypedResults.NoContent();
    }
}
