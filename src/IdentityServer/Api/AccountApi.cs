using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Profile;
using IdentityHost.IdentityServer.Recovery;
using IdentityHost.IdentityServer.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// <c>/api/account</c>: what users do to their own account. With their own access token: the profile, the address, the
/// password, sessions, connected apps, the data download and deletion. Without one: asking for a reset or verification
/// mail (always 202 with one body) and using the token of such a mail.
/// </summary>
public static class AccountApi
{
    /// <summary>
    /// Maps the signed-in endpoints (<c>GET/DELETE /api/account</c>, <c>POST /api/account/password</c>,
    /// <c>PUT /api/account/email</c>, <c>POST /api/account/email/resend-mine</c>, <c>GET/DELETE /api/account/sessions</c>,
    /// <c>DELETE /api/account/sessions/{id}</c>, <c>GET /api/account/apps</c>, <c>DELETE /api/account/apps/{id}</c>,
    /// <c>GET /api/account/export</c>) and the anonymous ones (<c>POST /api/account/password/forgot</c> and
    /// <c>/api/account/email/resend</c>, rate limited as recovery requests; <c>POST /api/account/password/reset</c> and
    /// <c>/api/account/email/verify</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var anonymous = endpoints.MapGroup("/api/account").WithTags("Account").WithRequestValidation().DisableAntiforgery();
        anonymous.MapPost("/password/forgot", ForgotPasswordAsync).RequireRateLimiting(RateLimitPolicies.AccountRecovery);
        anonymous.MapPost("/password/reset", ResetPasswordAsync);
        anonymous.MapPost("/email/verify", VerifyEmailAsync)
            .Answers(StatusCodes.Status409Conflict, "Another account verified this address first.");
        anonymous.MapPost("/email/resend", ResendVerificationAsync).RequireRateLimiting(RateLimitPolicies.AccountRecovery);

        var account = endpoints.MapGroup("/api/account").WithTags("Account").WithRequestValidation()
            .RequireAuthorization(AuthorizationPolicies.AccessToken)
            .DisableAntiforgery();
        account.MapPost("/password", ChangePasswordAsync);
        account.MapGet(string.Empty, GetAsync);
        account.MapDelete(string.Empty, DeleteAsync).RequireRateLimiting(RateLimitPolicies.PasswordCheck);
        account.MapPut("/email", ChangeEmailAsync).RequireRateLimiting(RateLimitPolicies.PasswordCheck)
            .Answers(StatusCodes.Status409Conflict, "Another account has this email address.");
        account.MapGet("/sessions", ListSessionsAsync);
        account.MapDelete("/sessions", EndOtherSessionsAsync);
        account.MapDelete("/sessions/{id}", EndSessionAsync).Answers(StatusCodes.Status404NotFound, "The caller has no session with this id.");
        account.MapGet("/apps", ListAppsAsync);
        account.MapDelete("/apps/{id}", RevokeAppAsync).Answers(StatusCodes.Status404NotFound, "The caller has not authorized an app with this id.");
        account.MapGet("/export", ExportAsync);
        return endpoints;
    }

    /// <summary>The one answer of <c>POST /api/account/password/forgot</c>.</summary>
    public static readonly MailRequestAccepted ForgotAnswer = new(ForgotPasswordModel.SentMessage);

    /// <summary>The one answer of <c>POST /api/account/email/resend</c>.</summary>
    public static readonly MailRequestAccepted ResendAnswer = new(ResendVerificationModel.SentMessage);

    private static async Task<Accepted<MailRequestAccepted>> ForgotPasswordAsync(
        RecoveryMailRequest body, HttpContext context, PasswordRecovery recovery)
    {
        await recovery.RequestAsync(body.UsernameOrEmail!.Trim(), context.RequestAborted);
        return TypedResults.Accepted((string?)null, ForgotAnswer);
    }

    private static async Task<Accepted<MailRequestAccepted>> ResendVerificationAsync(
        RecoveryMailRequest body, HttpContext context, VerificationResend resend)
    {
        await resend.RequestAsync(body.UsernameOrEmail!.Trim(), context.RequestAborted);
        return TypedResults.Accepted((string?)null, ResendAnswer);
    }

    private static async Task<Results<NoContent, ValidationProblem>> ResetPasswordAsync(
        ResetPasswordRequest body, HttpContext context, PasswordRecovery recovery)
    {
        var result = await recovery.ResetAsync(body.Token, AccountText.NormalizePassword(body.NewPassword), context.RequestAborted);
        return result switch
        {
            { Succeeded: true } => TypedResults.NoContent(),
            { TokenInvalid: true } => ErrorResponses.Invalid("token", InvalidTokenMessage, "The password was not reset."),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [.. result.PasswordErrors] },
                title: "The password was not reset."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> VerifyEmailAsync(
        VerifyEmailRequest body, HttpContext context, AccountEmails emails) =>
        await emails.VerifyAsync(body.Token, context.RequestAborted) switch
        {
            EmailVerificationResult.Verified => TypedResults.NoContent(),
            EmailVerificationResult.Taken => ErrorResponses.Conflict("Email already in use", "Another account has this email address now."),
            _ => ErrorResponses.Invalid("token", InvalidTokenMessage, "The address was not verified."),
        };

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest body,
        HttpContext context,
        UserManager<ApplicationUser> users,
        PasswordChange passwords)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        var failure = await passwords.ChangeAsync(
            user, AccountText.NormalizePassword(body.CurrentPassword), AccountText.NormalizePassword(body.NewPassword), context.RequestAborted);
        return failure is { } error
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [error.Field] = error.Messages }, title: "The password was not changed.")
            : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AccountProfile>, ProblemHttpResult>> GetAsync(
        HttpContext context, UserManager<ApplicationUser> users, AccountEmails emails)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        var pending = await emails.PendingAddressAsync(user, context.RequestAborted);
        return TypedResults.Ok(new AccountProfile(user.Id, user.UserName!, user.Email, user.EmailConfirmed,
            pending is not null && pending != user.Email ? pending : null, [.. await users.GetRolesAsync(user)], user.CreatedAt));
    }

    private static async Task<Results<Accepted, NoContent, ValidationProblem, ProblemHttpResult>> ChangeEmailAsync(
        ChangeEmailRequest body, HttpContext context, UserManager<ApplicationUser> users, PasswordCheck passwords, AccountEmails emails)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        var (address, error) = AccountEmails.Read(body.Email);
        if (address is null)
        {
            return ErrorResponses.Invalid("email", error ?? "The new email address is required.");
        }

        if (await passwords.CheckAsync(user.UserName, body.CurrentPassword, context.RequestAborted) is null)
        {
            return ErrorResponses.Invalid("currentPassword", "The password is not correct.");
        }

        return await emails.RequestChangeAsync(user, address, context.RequestAborted) switch
        {
            EmailChangeResult.Taken => ErrorResponses.Conflict("Email already in use", "Another account has this email address."),
            EmailChangeResult.Unchanged => TypedResults.NoContent(),
            EmailChangeResult.Throttled => ErrorResponses.Problem(StatusCodes.Status429TooManyRequests, "Too many mails",
                "Too many links were sent to this account within the hour; try again later."),
            _ => TypedResults.Accepted((string?)null),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        [FromBody] DeleteAccountRequest body, HttpContext context, UserManager<ApplicationUser> users, PasswordCheck passwords,
        AccountDeletion deletion)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        if (await passwords.CheckAsync(user.UserName, body.Password, context.RequestAborted) is null)
        {
            return ErrorResponses.Invalid("password", "The password is not correct.");
        }

        await deletion.DeleteAsync(user, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<SessionInfo>>, ProblemHttpResult>> ListSessionsAsync(
        HttpContext context, UserManager<ApplicationUser> users, UserSessions sessions) =>
        await CallerAsync(context, users) is { } user
            ? TypedResults.Ok(await sessions.ListAsync(user.Id, context.User.GetAuthorizationId(), context.RequestAborted))
            : NotAUser();

    private static async Task<Results<NoContent, ProblemHttpResult>> EndSessionAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, UserSessions sessions)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        return await sessions.EndAsync(user.Id, id, context.RequestAborted) ? TypedResults.NoContent() : ErrorResponses.NotFound("No such session.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndOtherSessionsAsync(
        HttpContext context, UserManager<ApplicationUser> users, UserSessions sessions)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        // Note: "everywhere else" keeps the login of the access token making the request; other browsers' session cookies
        // end with the new security stamp.
        await sessions.EndOthersAsync(user.Id, context.User.GetAuthorizationId(), context.RequestAborted);
        await users.UpdateSecurityStampAsync(user);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<ConnectedApp>>, ProblemHttpResult>> ListAppsAsync(
        HttpContext context, UserManager<ApplicationUser> users, UserSessions sessions) =>
        await CallerAsync(context, users) is { } user
            ? TypedResults.Ok(await sessions.ListAppsAsync(user.Id, context.RequestAborted))
            : NotAUser();

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAppAsync(
        string id, HttpContext context, UserManager<ApplicationUser> users, UserSessions sessions)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        return await sessions.RevokeAppAsync(user.Id, id, context.RequestAborted) ? TypedResults.NoContent() : ErrorResponses.NotFound("No such app.");
    }

    private static async Task<Results<Ok<AccountData>, ProblemHttpResult>> ExportAsync(
        HttpContext context, UserManager<ApplicationUser> users, AccountExport export)
    {
        if (await CallerAsync(context, users) is not { } user)
        {
            return NotAUser();
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"identityhost-account-{user.Id}.json\"";
        return TypedResults.Ok(await export.ExportAsync(user, context.RequestAborted));
    }

    private static async Task<ApplicationUser?> CallerAsync(HttpContext context, UserManager<ApplicationUser> users) =>
        context.User.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;

    private static ProblemHttpResult NotAUser() => ErrorResponses.Forbidden("Only a user's own access token can use their account.");

    private const string InvalidTokenMessage = "The link is not valid: it was used already, it expired, or a newer link was sent.";
}
