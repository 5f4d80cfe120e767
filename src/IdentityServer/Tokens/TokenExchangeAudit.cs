using IdentityHost.IdentityServer.Common;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Audits every refused token exchange (RFC 8693), whoever refused it: OpenIddict (an unknown audience, a client not
/// allowed the grant, a subject token that is not valid) or <see cref="TokenExchange"/> (an audience the client is not
/// configured for). Never the tokens themselves.
/// </summary>
internal sealed class TokenExchangeAudit(SecurityAudit audit) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseScopedHandler<TokenExchangeAudit>()
            .SetOrder(int.MinValue + 60_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is { } request && request.IsTokenExchangeGrantType() && !string.IsNullOrEmpty(context.Response.Error))
        {
            audit.Write(AuditEvents.TokenExchangeRefused, userId: null,
                $"{context.Response.Error}: {context.Response.ErrorDescription} (audience {string.Join(", ", request.GetAudiences())})");
        }

        return default;
    }
}
