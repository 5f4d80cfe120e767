using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.IdentityServer.Sessions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityHost.IdentityServer.Profile;

/// <summary>Everything the server keeps about a user, for "download my data" (never a password hash, stamp or token).</summary>
public sealed class AccountExport(
    UserManager<ApplicationUser> users,
    UserSessions sessions,
    AccountEmails emails,
    IdentityHostDbContext database,
    SecurityAudit audit,
    TimeProvider clock)
{
    public async Task<AccountData> ExportAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var knownAddresses = await database.UserTokens.AsNoTracking()
            .Where(token => token.UserId == user.Id && token.LoginProvider == "IdentityHost" && token.Name == "known_addresses")
            .Select(token => token.Value)
            .FirstOrDefaultAsync(cancellationToken);
        audit.Write(AuditEvents.DataExported, user.Id);
        return new AccountData(
            clock.GetUtcNow(),
            new AccountProfile(user.Id, user.UserName!, user.Email, user.EmailConfirmed, await emails.PendingAddressAsync(user, cancellationToken) is { } pending && pending != user.Email ? pending : null,
                [.. await users.GetRolesAsync(user)], user.CreatedAt),
            await sessions.ListAsync(user.Id, currentAuthorizationId: null, cancellationToken),
            await sessions.ListAppsAsync(user.Id, cancellationToken),
            knownAddresses?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []);
    }
}

/// <summary>A user's data, as <c>GET /api/account/export</c> and the account page's download give it.</summary>
public sealed record AccountData(
    DateTimeOffset ExportedAt,
    AccountProfile Account,
    IReadOnlyList<SessionInfo> Sessions,
    IReadOnlyList<ConnectedApp> ConnectedApps,
    IReadOnlyList<string> SignInAddresses);

/// <summary>A user's own account: <c>GET /api/account</c>.</summary>
public sealed record AccountProfile(
    string Id,
    string Username,
    string? Email,
    bool EmailVerified,
    string? PendingEmail,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt);
