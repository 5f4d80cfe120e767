using System.Globalization;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Mail;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>
/// Deletes a user's own account, in one transaction: their tokens, authorizations (logins and consents), session records,
/// mail still waiting, and the user row with everything Identity keeps about it (roles, claims, logins, user tokens); the
/// last mail, saying it was done, goes to the address the account had.
/// </summary>
public sealed class AccountDeletion(IdentityHostDbContext database, Outbox outbox, SecurityAudit audit, TimeProvider clock)
{
    public async Task DeleteAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userId = user.Id;
        var strategy = database.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            database.ChangeTracker.Clear();
            await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken);
            // Note: tokens first: they point at their authorizations.
            await database.Set<OpenIddictEntityFrameworkCoreToken>().Where(token => token.Subject == userId).DeleteRowsAsync(database, cancellationToken);
            await database.Set<OpenIddictEntityFrameworkCoreAuthorization>().Where(authorization => authorization.Subject == userId)
                .DeleteRowsAsync(database, cancellationToken);
            await database.UserSessions.Where(session => session.UserId == userId).DeleteRowsAsync(database, cancellationToken);
            await database.Outbox.Where(row => row.UserId == userId && row.DoneAt == null).DeleteRowsAsync(database, cancellationToken);
            await database.UserTokens.Where(token => token.UserId == userId).DeleteRowsAsync(database, cancellationToken);
            await database.UserRoles.Where(role => role.UserId == userId).DeleteRowsAsync(database, cancellationToken);
            await database.UserClaims.Where(claim => claim.UserId == userId).DeleteRowsAsync(database, cancellationToken);
            await database.UserLogins.Where(login => login.UserId == userId).DeleteRowsAsync(database, cancellationToken);
            await database.Users.Where(row => row.Id == userId).DeleteRowsAsync(database, cancellationToken);
            if (user.Email is not null)
            {
                outbox.AddMail(userId: null, user.Email, "account-deleted", new Dictionary<string, string>
                {
                    ["UserName"] = user.UserName!,
                    ["Time"] = clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                });
            }

            audit.Write(AuditEvents.UserDeleted, userId, "by the user");
            await database.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        outbox.Notify();
    }
}
