using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Sessions;

/// <summary>
/// A user's sessions and connected apps. A session is a login that still holds a token that works: the chain of codes,
/// access and refresh tokens under one OpenIddict authorization (one per sign-in, or a third-party client's consent, which
/// its sign-ins share). Ending one revokes that authorization's tokens (and the authorization, unless it is a consent). A
/// connected app is a consent given to a third-party client; revoking it ends its tokens too.
/// </summary>
public sealed class UserSessions(
    IdentityHostDbContext database,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    SecurityAudit audit,
    TimeProvider clock)
{
    /// <summary>The user's active sessions, most recently used first.</summary>
    public async Task<IReadOnlyList<SessionInfo>> ListAsync(string userId, string? currentAuthorizationId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tokenRows = database.Set<OpenIddictEntityFrameworkCoreToken>();
        var rows = await database.UserSessions.AsNoTracking()
            .Where(session => session.UserId == userId && tokenRows.Any(token =>
                token.Authorization!.Id == session.AuthorizationId && token.Status == Statuses.Valid && token.ExpirationDate > now.UtcDateTime))
            .OrderByDescending(session => session.LastUsedAt)
            .ToListAsync(cancellationToken);
        var names = await ClientNamesAsync(rows.Select(row => row.ClientId), cancellationToken);
        return [.. rows.Select(row => new SessionInfo(
            row.AuthorizationId,
            row.ClientId,
            row.ClientId is null ? null : names.GetValueOrDefault(row.ClientId),
            new DateTimeOffset(row.FirstUsedAt, TimeSpan.Zero),
            new DateTimeOffset(row.LastUsedAt, TimeSpan.Zero),
            row.IpAddress,
            UserAgents.Describe(row.UserAgent),
            row.AuthorizationId == currentAuthorizationId))];
    }

    /// <summary>Ends the session <paramref name="sessionId"/> of <paramref name="userId"/>; false when the user has no such session.</summary>
    public async Task<bool> EndAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        var owned = await database.UserSessions.AnyAsync(session => session.AuthorizationId == sessionId && session.UserId == userId, cancellationToken);
        if (!owned)
        {
            return false;
        }

        await EndAuthorizationAsync(sessionId, keepConsent: true, cancellationToken);
        audit.Write(AuditEvents.SessionRevoked, userId, "session " + sessionId);
        return true;
    }

    /// <summary>Ends every session of <paramref name="userId"/> but <paramref name="keepSessionId"/>; returns how many.</summary>
    public async Task<int> EndOthersAsync(string userId, string? keepSessionId, CancellationToken cancellationToken)
    {
        var ids = await database.UserSessions.AsNoTracking()
            .Where(session => session.UserId == userId && session.AuthorizationId != keepSessionId)
            .Select(session => session.AuthorizationId)
            .ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            await EndAuthorizationAsync(id, keepConsent: true, cancellationToken);
        }

        // Note: logins from before sessions were recorded have no row; their authorizations end too.
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId, cancellationToken))
        {
            var id = await authorizations.GetIdAsync(authorization, cancellationToken);
            if (id != keepSessionId && id is not null && !ids.Contains(id) &&
                await authorizations.HasTypeAsync(authorization, AuthorizationTypes.AdHoc, cancellationToken) &&
                await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken))
            {
                await EndAuthorizationAsync(id, keepConsent: true, cancellationToken);
                ids.Add(id);
            }
        }

        audit.Write(AuditEvents.SessionRevoked, userId, $"{ids.Count} other sessions");
        return ids.Count;
    }

    /// <summary>The consents the user gave to third-party clients that still stand.</summary>
    public async Task<IReadOnlyList<ConnectedApp>> ListAppsAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await database.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
            .Where(authorization => authorization.Subject == userId && authorization.Type == AuthorizationTypes.Permanent &&
                                    authorization.Status == Statuses.Valid)
            .Select(authorization => new { authorization.Id, ClientId = authorization.Application!.ClientId, authorization.Application.DisplayName, authorization.Scopes, authorization.CreationDate })
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(row => row.DisplayName ?? row.ClientId, StringComparer.OrdinalIgnoreCase).Select(row => new ConnectedApp(
            row.Id!,
            row.ClientId,
            row.DisplayName ?? row.ClientId,
            row.Scopes is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(row.Scopes) ?? [],
            row.CreationDate is { } created ? new DateTimeOffset(created, TimeSpan.Zero) : null))];
    }

    /// <summary>Revokes the consent <paramref name="appId"/> of <paramref name="userId"/> and its tokens; false when there is none.</summary>
    public async Task<bool> RevokeAppAsync(string userId, string appId, CancellationToken cancellationToken)
    {
        var owned = await database.Set<OpenIddictEntityFrameworkCoreAuthorization>().AnyAsync(authorization =>
            authorization.Id == appId && authorization.Subject == userId && authorization.Type == AuthorizationTypes.Permanent &&
            authorization.Status == Statuses.Valid, cancellationToken);
        if (!owned)
        {
            return false;
        }

        await EndAuthorizationAsync(appId, keepConsent: false, cancellationToken);
        audit.Write(AuditEvents.AppRevoked, userId, "authorization " + appId);
        return true;
    }

    private async Task EndAuthorizationAsync(string authorizationId, bool keepConsent, CancellationToken cancellationToken)
    {
        await tokens.RevokeByAuthorizationIdAsync(authorizationId, cancellationToken);
        var authorization = await authorizations.FindByIdAsync(authorizationId, cancellationToken);
        if (authorization is not null &&
            (!keepConsent || !await authorizations.HasTypeAsync(authorization, AuthorizationTypes.Permanent, cancellationToken)))
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
        }

        await database.UserSessions.Where(session => session.AuthorizationId == authorizationId).DeleteRowsAsync(database, cancellationToken);
    }

    private async Task<Dictionary<string, string>> ClientNamesAsync(IEnumerable<string?> clientIds, CancellationToken cancellationToken)
    {
        var ids = clientIds.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var names = await database.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking()
            .Where(application => ids.Contains(application.ClientId!))
            .Select(application => new { application.ClientId, application.DisplayName })
            .ToListAsync(cancellationToken);
        return names.ToDictionary(name => name.ClientId!, name => name.DisplayName ?? name.ClientId!, StringComparer.Ordinal);
    }
}

/// <summary>One session as the account page and <c>GET /api/account/sessions</c> show it.</summary>
public sealed record SessionInfo(
    string Id,
    string? ClientId,
    string? ClientName,
    DateTimeOffset FirstUsedAt,
    DateTimeOffset LastUsedAt,
    string? IpAddress,
    string Device,
    bool Current);

/// <summary>A third-party client the user gave consent to.</summary>
public sealed record ConnectedApp(string Id, string? ClientId, string? Name, IReadOnlyList<string> Scopes, DateTimeOffset? GrantedAt);
