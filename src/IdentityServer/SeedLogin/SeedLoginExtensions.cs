using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.Options;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>The seed project's JSON login, <c>POST /api/auth/login</c>, kept as a second address of the token endpoint.</summary>
public static class SeedLoginExtensions
{
    /// <summary>
    /// Makes OpenIddict serve its token endpoint at <c>/api/auth/login</c> too, reading a JSON body there as the password
    /// grant of the client named by <c>Accounts:LoginClientId</c> and answering failures as problem details; start-up
    /// fails when that client is not configured with the password grant. The route itself is mapped with the rest of
    /// <c>/api/auth</c> (Api), where its rate limit is attached.
    /// </summary>
    public static IHostApplicationBuilder AddSeedLogin(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<AccountOptions>, LoginClientValidator>();
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.Configure(options => options.TokenEndpointUris.Add(new Uri(RouteNames.SeedLoginPath.TrimStart('/'), UriKind.Relative)));
            server.RemoveEventHandler(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext>.Descriptor);
            server.AddEventHandler(SeedLoginRequestReader.Descriptor);
            server.AddEventHandler(SeedLoginResponseWriter.Descriptor);
        });
        return builder;
    }
}
