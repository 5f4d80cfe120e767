using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityHost.IdentityServer.Cors;

/// <summary>Cross-origin access for browser apps (single-page apps with PKCE) of the registered clients.</summary>
public static class CorsExtensions
{
    /// <summary>
    /// Adds ASP.NET Core's CORS services with this server's policy provider: discovery and JWKS readable from any
    /// origin, the token, revocation and userinfo endpoints (and any other OAuth endpoint a browser app calls with
    /// <c>fetch</c>) from the origins of registered clients only: those of their redirect URIs and their
    /// <c>AllowedCorsOrigins</c>. Never with credentials. The pipeline's <c>UseCors</c> applies it.
    /// </summary>
    public static IHostApplicationBuilder AddClientCors(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCors();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClientOrigins>();
        // Note: AddCors registers the default provider (named policies); this one decides per endpoint instead.
        builder.Services.Replace(ServiceDescriptor.Singleton<ICorsPolicyProvider, ClientCorsPolicyProvider>());
        return builder;
    }
}
