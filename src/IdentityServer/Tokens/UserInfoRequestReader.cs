using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Reads a userinfo request. OpenID Connect Core section 5.3.1 has clients send it by GET or POST; a POST that carries
/// only the Authorization header has no body and no Content-Type, which OpenIddict's reader refuses ("Content-Type
/// header is missing"). Such a POST is read as a request without parameters; everything else as OpenIddict reads it.
/// </summary>
internal sealed class UserInfoRequestReader : IOpenIddictServerHandler<ExtractUserInfoRequestContext>
{
    private static readonly OpenIddictServerAspNetCoreHandlers.ExtractGetOrPostRequest<ExtractUserInfoRequestContext> Default = new();

    /// <summary>Takes the order of OpenIddict's reader, which it replaces.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractUserInfoRequestContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<UserInfoRequestReader>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractGetOrPostRequest<ExtractUserInfoRequestContext>.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ExtractUserInfoRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Transaction.GetHttpRequest() ?? throw new InvalidOperationException("The HTTP request is missing.");
        if (HttpMethods.IsPost(http.Method) && string.IsNullOrEmpty(http.ContentType) && http.ContentLength is null or 0)
        {
            context.Transaction.Request = new OpenIddictRequest();
            return;
        }

        await Default.HandleAsync(context);
    }
}
