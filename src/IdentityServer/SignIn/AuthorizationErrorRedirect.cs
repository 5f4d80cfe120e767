using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.SignIn;

/// <summary>
/// Sends an error found in an authorization request back to the client, as RFC 6749 section 4.1.2.1, RFC 7636
/// section 4.4.1 and OpenID Connect Core section 3.1.2.6 require, whenever the request names a known client and one of
/// its registered redirect URIs: a missing or <c>plain</c> PKCE challenge, a scope it may not have, a response type or
/// mode the server does not offer, a request object, <c>prompt=none login</c>. OpenIddict answers every rejected
/// request on its own page; only an unknown client or a redirect URI the client did not register (exactly) still gets
/// the server's error page, since sending the browser there would make the server an open redirector.
/// </summary>
/// <remarks>
/// Note: the answer goes to the client in the mode the request asked for when the server offers it, else in the
/// default mode of its response type (query for <c>code</c>, fragment for <c>token</c> and the hybrid types); OpenIddict
/// then adds <c>state</c> and the RFC 9207 <c>iss</c>.
/// </remarks>
internal sealed class AuthorizationErrorRedirect(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    private static readonly string[] ResponseModesOffered = [ResponseModes.Query, ResponseModes.Fragment, ResponseModes.FormPost];

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseScopedHandler<AuthorizationErrorRedirect>()
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachRedirectUri.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.IsNullOrEmpty(context.RedirectUri) || string.IsNullOrEmpty(context.Response.Error) ||
            context.Request is not { } request || !IsSingle(request, Parameters.ClientId) || !IsSingle(request, Parameters.RedirectUri) ||
            !Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out _))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, context.CancellationToken);
        if (application is null || !await applications.ValidateRedirectUriAsync(application, request.RedirectUri!, context.CancellationToken))
        {
            return;
        }

        if (request.ResponseMode is { Length: > 0 } mode && !ResponseModesOffered.Contains(mode, StringComparer.Ordinal))
        {
            // Note: an unsupported response_mode is the error itself; the answer takes the response type's default mode.
            request.ResponseMode = null;
        }

        context.RedirectUri = request.RedirectUri;
    }

    private static bool IsSingle(OpenIddictRequest request, string name) =>
        request.GetParameter(name) is { } value && value.Count <= 1 && !string.IsNullOrEmpty((string?)value);
}
