using IdentityHost.IdentityServer.Common;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Counts every successful token endpoint response (<c>identityhost.tokens_issued</c>) by grant type, at both
/// addresses of the token endpoint; refusals are not counted here (the sign-in counters and the audit log see them).
/// </summary>
internal sealed class TokenIssuanceMetrics(IdentityHostMetrics metrics) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<TokenIssuanceMetrics>()
            .SetOrder(int.MinValue + 60_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(context.Response.Error) && !string.IsNullOrEmpty(context.Response.AccessToken) &&
            context.Request?.GrantType is { Length: > 0 } grantType)
        {
            metrics.TokenIssued(grantType);
        }

        return default;
    }
}
