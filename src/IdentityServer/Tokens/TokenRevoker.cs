using IdentityHost.IdentityServer.Common;
using OpenIddict.Abstractions;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Ends every login of a user: revokes the user's authorizations and tokens, so no refresh token of theirs can
/// be redeemed again. Note: access tokens are self-contained JWTs validated without a call to this server; they
/// stay usable until they expire (<c>OpenIddict:AccessTokenLifetime</c>, 15 minutes by default).
/// </summary>
public sealed class TokenRevoker(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    SecurityAudit audit,
    ILogger<TokenRevoker> logger)
{
    public async Task RevokeUserAsync(string userId, string reason, CancellationToken cancellationToken = default)
    {
        var revokedAuthorizations = await authorizations.RevokeBySubjectAsync(userId, cancellationToken);
        var revokedTokens = await tokens.RevokeBySubjectAsync(userId, cancellationToken);
        logger.LogInformation(
            "Revoked {TokenCount} tokens and {AuthorizationCount} authorizations of user {UserId}: {Reason}",
            revokedTokens, revokedAuthorizations, userId, reason);
        audit.Write(AuditEvents.TokensRevoked, userId, reason);
    }
}
