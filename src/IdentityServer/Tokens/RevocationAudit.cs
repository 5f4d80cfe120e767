using IdentityHost.IdentityServer.Common;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Writes the audit event <c>token.revoked</c> for each token a client revokes at <c>/connect/revoke</c> (RFC 7009),
/// after OpenIddict has revoked it: the token's user and type, never the token itself.
/// </summary>
internal sealed class RevocationAudit(SecurityAudit audit) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<RevocationAudit>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.IsRejected && context.GenericTokenPrincipal is { } principal)
        {
            audit.Write(AuditEvents.TokenRevoked, principal.GetClaim(Claims.Subject), principal.GetTokenType());
        }

        return default;
    }
}
