using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Keys;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>Registers the OpenIddict server (token endpoint, discovery, JWKS) and local token validation.</summary>
public static class TokenServerExtensions
{
    /// <summary>
    /// Adds OpenIddict with the password and refresh_token grants, signed (not encrypted) JWT access tokens,
    /// the keys from <see cref="KeysExtensions.AddServerKeys"/>, and validation of its own tokens for the
    /// server's APIs. Settings come from the <c>OpenIddict</c> section.
    /// </summary>
    public static IHostApplicationBuilder AddTokenServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenServerOptions>()
            .BindConfiguration(TokenServerOptions.SectionName)
            .Validate(options => options.AccessTokenLifetime > TimeSpan.Zero, "OpenIddict:AccessTokenLifetime must be positive.")
            .Validate(options => options.RefreshTokenLifetime > TimeSpan.Zero, "OpenIddict:RefreshTokenLifetime must be positive.")
            .Validate(options => options.Issuer is null || options.Issuer.IsAbsoluteUri,
                "OpenIddict:Issuer must be an absolute URL.")
            .ValidateOnStart();

        builder.AddServerKeys();
        builder.Services.AddScoped<UserPrincipalFactory>();

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityHostDbContext>())
            .AddServer(options =>
            {
                options.SetTokenEndpointUris("connect/token");
                options.AllowPasswordFlow().AllowRefreshTokenFlow();
                options.RegisterScopes([.. IdentityHostScopes.All]);

                // Note: access tokens are signed JWTs any service can verify from JWKS; refresh tokens stay encrypted.
                options.DisableAccessTokenEncryption();

                // Note: OpenIddict answers an empty password with invalid_request; the passthrough handler checks it
                // like any wrong password instead, so every credential failure gets one identical invalid_grant.
                options.RemoveEventHandler(OpenIddictServerHandlers.Exchange.ValidateResourceOwnerCredentialsParameters.Descriptor);

                options.UseAspNetCore().EnableTokenEndpointPassthrough();
            })
            .AddValidation(options =>
            {
                options.UseLocalServer();
                options.UseAspNetCore();
            });

        builder.Services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<TokenServerOptions>>((server, settings) =>
            {
                server.Issuer = settings.Value.Issuer;
                server.AccessTokenLifetime = settings.Value.AccessTokenLifetime;
                server.RefreshTokenLifetime = settings.Value.RefreshTokenLifetime;
            });
        builder.Services.AddOptions<OpenIddictServerAspNetCoreOptions>()
            .Configure<IOptions<TokenServerOptions>>((aspNetCore, settings) =>
                aspNetCore.DisableTransportSecurityRequirement = !settings.Value.RequireHttps);

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization();
        return builder;
    }
}
