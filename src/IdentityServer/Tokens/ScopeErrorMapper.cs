using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Answers <c>invalid_scope</c>, as RFC 6749 section 5.2 asks, where OpenIddict answers otherwise: a client asking
/// for a scope it is not allowed (OpenIddict: <c>invalid_request</c>, ID2051) and a refresh asking for more
/// than was granted (OpenIddict: <c>invalid_grant</c>, ID2052 on the scope parameter).
/// </summary>
internal sealed class ScopeErrorMapper : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<ScopeErrorMapper>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        var uri = response.ErrorUri ?? string.Empty;
        var notAllowed = response.Error == Errors.InvalidRequest && uri.EndsWith("/ID2051", StringComparison.Ordinal);
        var widened = response.Error == Errors.InvalidGrant && uri.EndsWith("/ID2052", StringComparison.Ordinal) &&
            response.ErrorDescription?.Contains($"'{Parameters.Scope}'", StringComparison.Ordinal) == true;
        if (notAllowed || widened)
        {
            response.Error = Errors.InvalidScope;
        }

        return default;
    }
}
