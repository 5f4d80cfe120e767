using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Data;
using IdentityHost.IdentityServer.Keys;
using IdentityHost.IdentityServer.Resources;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Tokens;

/// <summary>
/// Registers the OpenIddict server (token, revocation, introspection, userinfo and end-session endpoints,
/// discovery, JWKS), local token validation, and the token lifecycle services.
/// </summary>
public static class TokenServerExtensions
{
    /// <summary>
    /// Adds OpenIddict with the authorization_code (PKCE S256 required), password, refresh_token and
    /// client_credentials grants, signed (not encrypted) JWT access tokens, and validation of its own tokens for the
    /// server's APIs. Settings come from the <c>OpenIddict</c> section; the keys come from
    /// <see cref="KeysExtensions.AddServerKeys"/>, which this tells how long the tokens it signs live.
    /// </summary>
    public static IHostApplicationBuilder AddTokenServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenServerOptions>()
            .BindConfiguration(TokenServerOptions.SectionName)
            .Validate(options => options.AccessTokenLifetime > TimeSpan.Zero, "OpenIddict:AccessTokenLifetime must be positive.")
            .Validate(options => options.RefreshTokenLifetime > TimeSpan.Zero, "OpenIddict:RefreshTokenLifetime must be positive.")
            .Validate(options => options.RefreshTokenAbsoluteLifetime > TimeSpan.Zero,
                "OpenIddict:RefreshTokenAbsoluteLifetime must be positive.")
            .Validate(options => options.RefreshTokenReuseLeeway >= TimeSpan.Zero,
                "OpenIddict:RefreshTokenReuseLeeway must not be negative.")
            .Validate(options => options.PruneInterval > TimeSpan.Zero, "OpenIddict:PruneInterval must be positive.")
            .Validate(options => options.Issuer is null || options.Issuer.IsAbsoluteUri,
                "OpenIddict:Issuer must be an absolute URL.")
            .ValidateOnStart();

        // Note: a retired signing key stays published until the longest-lived token it can have signed has expired:
        // refresh tokens (signed, then encrypted) usually, else access tokens, identity tokens (20 minutes) and
        // authorization codes.
        builder.Services.AddOptions<KeyOptions>()
            .Configure<IOptions<TokenServerOptions>>((keys, tokens) => keys.SignedTokenLifetime =
                new[] { tokens.Value.AccessTokenLifetime, tokens.Value.RefreshTokenLifetime, TimeSpan.FromHours(1) }.Max());
        builder.Services.AddScoped<UserPrincipalFactory>();
        builder.Services.AddScoped<TokenExchange>();
        builder.Services.AddScoped<TokenRevoker>();
        builder.Services.TryAddScoped<SecurityAudit>();
        builder.Services.TryAddSingleton<IdentityHostMetrics>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<TokenPruner>();

        builder.Services.AddOpenIddict()
            .AddCore(options =>
            {
                options.UseEntityFrameworkCore().UseDbContext<IdentityHostDbContext>();
                options.ReplaceTokenManager(typeof(GrantRevokingTokenManager<>));
            })
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetPushedAuthorizationEndpointUris("connect/par")
                    .SetTokenEndpointUris("connect/token")
                    .SetDeviceAuthorizationEndpointUris("connect/device")
                    .SetEndUserVerificationEndpointUris(RouteNames.DevicePage.TrimStart('/'))
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetEndSessionEndpointUris("connect/endsession");
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowPasswordFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow()
                    .AllowDeviceAuthorizationFlow().AllowTokenExchangeFlow();
                options.RegisterScopes([.. IdentityHostScopes.All]);
                // Note: every claim the server puts in identity tokens or userinfo (discovery's claims_supported).
                options.RegisterClaims(
                    Claims.Subject, Claims.Issuer, Claims.Audience, Claims.ExpiresAt, Claims.IssuedAt, Claims.AuthenticationTime,
                    Claims.Nonce, Claims.AccessTokenHash, Claims.CodeHash, Claims.AuthorizedParty, Claims.Name, Claims.PreferredUsername,
                    Claims.Role, ClaimNames.AuthenticationMethods, ClaimNames.AuthenticationContext);

                // Note: access tokens are signed JWTs any service can verify from JWKS; refresh tokens stay encrypted.
                options.DisableAccessTokenEncryption();

                // Note: OpenIddict answers an empty password with invalid_request; the passthrough handler checks it
                // like any wrong password instead, so every credential failure gets one identical invalid_grant.
                options.RemoveEventHandler(OpenIddictServerHandlers.Exchange.ValidateResourceOwnerCredentialsParameters.Descriptor);
                foreach (var mapper in ScopeErrorMapper.Descriptors)
                {
                    options.AddEventHandler(mapper);
                }

                options.AddEventHandler(DiscoveryMetadata.Descriptor);
                options.RemoveEventHandler(
                    OpenIddictServerAspNetCoreHandlers.ExtractGetOrPostRequest<OpenIddictServerEvents.ExtractUserInfoRequestContext>.Descriptor);
                options.AddEventHandler(UserInfoRequestReader.Descriptor);
                foreach (var rule in RequestParameterRules.Descriptors)
                {
                    options.AddEventHandler(rule);
                }

                options.AddEventHandler(RevocationAudit.Descriptor);
                options.RemoveEventHandler(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor);
                options.AddEventHandler(TokenRevocation.Descriptor);
                options.AddEventHandler(DefaultAudience.Descriptor);
                options.AddEventHandler(TokenExchangeAudit.Descriptor);
                options.AddEventHandler(TokenIssuanceMetrics.Descriptor);
                options.AddEventHandler(DevicePolling.Descriptor);

                foreach (var assertionRule in ClientAssertionTypes.Descriptors)
                {
                    options.AddEventHandler(assertionRule);
                }

                options.AddEventHandler(TokenStoragePolicy.Descriptor);
                options.AddEventHandler(AccessTokenAuthorizationCheck.Descriptor);
                options.RemoveEventHandler(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor);
                options.AddEventHandler(RefreshTokenRedemption.Descriptor);
                options.AddEventHandler(TokenRequestConnection.OpenDescriptor);
                options.AddEventHandler(TokenRequestConnection.CloseDescriptor);

                // Note: error passthrough lets the authorization and end-session endpoints show an HTML error page
                // for a request that cannot be sent back to its client, instead of OpenIddict's plain text.
                options.UseAspNetCore()
                    .EnableErrorPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
            })
            .AddValidation(options =>
            {
                options.UseLocalServer();
                // Note: the server's own API takes access tokens from the Authorization header only: never from the
                // query string, where they end up in logs (RFC 9700 §4.3.2), nor from a form body it would have to parse.
                options.UseAspNetCore()
                    .DisableAccessTokenExtractionFromQueryString()
                    .DisableAccessTokenExtractionFromBodyForm();
            });

        builder.Services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<TokenServerOptions>, IOptions<ApiResourceOptions>>((server, settings, apis) =>
            {
                // Note: the APIs a request may name as RFC 8707 resources, and as RFC 8693 audiences; any other is
                // invalid_target. Which audiences a client may exchange tokens for is TokenExchange's to decide (and
                // audit), so OpenIddict's own audience permissions are off.
                foreach (var api in apis.Value.All)
                {
                    server.Audiences.Add(api.Name);
                    if (api.Uri is not null)
                    {
                        server.Resources.Add(api.Uri);
                    }
                }

                server.IgnoreAudiencePermissions = true;

                server.RequirePushedAuthorizationRequests = settings.Value.RequirePushedAuthorizationRequests;
                // Note: a pushed request's request_uri is a bearer reference to it: short-lived (OpenIddict keeps it an
                // hour; RFC 9126 section 2.2 suggests far less), yet long enough for the user to sign in before it is
                // used again on the way back from the sign-in page.
                server.RequestTokenLifetime = TimeSpan.FromMinutes(10);
                server.Issuer = settings.Value.Issuer;
                server.AccessTokenLifetime = settings.Value.AccessTokenLifetime;
                server.RefreshTokenLifetime = settings.Value.RefreshTokenLifetime;
                server.RefreshTokenReuseLeeway = settings.Value.RefreshTokenReuseLeeway;
                // Note: S256 only; "plain" gives no protection against a stolen code (RFC 9700 section 2.1.1).
                server.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain);
            });
        // Note: Oracle's MySQL provider turns OpenIddict's bulk updates and deletes with a join (revoking a token
        // family, pruning) into UPDATE ... FROM, which MySQL and MariaDB reject; OpenIddict then logs a warning
        // and the tokens stay valid. Row-by-row updates work on every provider. Pomelo would not need this.
        builder.Services.AddOptions<OpenIddictEntityFrameworkCoreOptions>()
            .Configure<IOptions<DatabaseOptions>>((entityFramework, database) =>
                entityFramework.DisableBulkOperations = database.Value.Provider == DatabaseProvider.MySql);
        builder.Services.AddOptions<OpenIddictServerAspNetCoreOptions>()
            .Configure<IOptions<TokenServerOptions>>((aspNetCore, settings) =>
                aspNetCore.DisableTransportSecurityRequirement = !settings.Value.RequireHttps);

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        // Note: registered after OpenIddict's own store, so that this one is what its token manager gets.
        builder.Services.Replace(ServiceDescriptor.Scoped<IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken>, TokenRowStore>());

        return builder;
    }
}
