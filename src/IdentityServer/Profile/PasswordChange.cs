using System.Globalization;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using IdentityHost.IdentityServer.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>
/// A signed-in user changing their password with the current one: the new password and the mail telling them about it are
/// written in one transaction; then every refresh token of theirs is revoked (the new security stamp ends their sessions).
/// </summary>
public sealed class PasswordChange(
    UserManager<ApplicationUser> users,
    IdentityHostDbContext database,
    Outbox outbox,
    MailLinks links,
    TokenRevoker revoker,
    SecurityAudit audit,
    TimeProvider clock)
{
    /// <summary>Null on success, else the failing field (<c>currentPassword</c> or <c>newPassword</c>) and its messages.</summary>
    public async Task<(string Field, string[] Messages)?> ChangeAsync(
        ApplicationUser user, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        IdentityResult result;
        var strategy = database.Database.CreateExecutionStrategy();
        result = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            var changed = await users.ChangePasswordAsync(user, currentPassword, newPassword);
            if (!changed.Succeeded)
            {
                return changed;
            }

            if (user.Email is not null)
            {
                outbox.AddMail(user.Id, user.Email, "password-changed", new Dictionary<string, string>
                {
                    ["UserName"] = user.UserName!,
                    ["Time"] = clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["Link"] = links.Build(RouteNames.ForgotPasswordPage, new Dictionary<string, string?>()).AbsoluteUri,
                });
            }

            audit.Write(AuditEvents.PasswordChanged, user.Id);
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return changed;
        });
        if (!result.Succeeded)
        {
            var field = result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.PasswordMismatch)) ? "currentPassword" : "newPassword";
            return (field, [.. result.Errors.Select(error => error.Description)]);
        }

        outbox.Notify();
        await revoker.RevokeUserAsync(user.Id, "password changed", cancellationToken);
        return null;
    }
}
