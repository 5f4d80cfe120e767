using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Answers with the error code the RFCs define where OpenIddict answers otherwise: <c>invalid_scope</c> (RFC 6749
/// section 5.2) for a client asking for a scope it is not allowed (OpenIddict: <c>invalid_request</c>, ID2051) and
/// for a refresh asking for more than was granted (OpenIddict: <c>invalid_grant</c>, ID2052 on the scope parameter);
/// <c>invalid_target</c> (RFC 8707 section 2) for a resource the client may not name (OpenIddict:
/// <c>invalid_request</c>, ID2192). At the token, authorization and pushed authorization endpoints.
/// </summary>
internal static class ScopeErrorMapper
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> Descriptors { get; } =
    [
        Descriptor<ApplyTokenResponseContext, TokenResponses>(),
        Descriptor<ApplyAuthorizationResponseContext, AuthorizationResponses>(),
        Descriptor<ApplyPushedAuthorizationResponseContext, PushedAuthorizationResponses>(),
    ];

    private static void Map(OpenIddictResponse response)
    {
        var uri = response.ErrorUri ?? string.Empty;
        var notAllowed = response.Error == Errors.InvalidRequest && uri.EndsWith("/ID2051", StringComparison.Ordinal);
        var widened = response.Error == Errors.InvalidGrant && uri.EndsWith("/ID2052", StringComparison.Ordinal) &&
            response.ErrorDescription?.Contains($"'{Parameters.Scope}'", StringComparison.Ordinal) == true;
        if (notAllowed || widened)
        {
            response.Error = Errors.InvalidScope;
        }
        else if (response.Error == Errors.InvalidRequest && uri.EndsWith("/ID2192", StringComparison.Ordinal))
        {
            response.Error = Errors.InvalidTarget;
        }
    }

    private static OpenIddictServerHandlerDescriptor Descriptor<TContext, THandler>()
        where TContext : BaseRequestContext
        where THandler : class, IOpenIddictServerHandler<TContext>, new() =>
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<THandler>()
            .SetOrder(int.MinValue + 50_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    private sealed class TokenResponses : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            Map(context.Response);
            return default;
        }
    }

    private sealed class AuthorizationResponses : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
    {
        public ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
        {
            Map(context.Response);
            return default;
        }
    }

    private sealed class PushedAuthorizationResponses : IOpenIddictServerHandler<ApplyPushedAuthorizationResponseContext>
    {
        public ValueTask HandleAsync(ApplyPushedAuthorizationResponseContext context)
        {
            Map(context.Response);
            return default;
        }
    }
}
