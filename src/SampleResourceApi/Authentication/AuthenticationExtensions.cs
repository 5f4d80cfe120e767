using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>How this API trusts IdentityHost's access tokens.</summary>
public static class AuthenticationExtensions
{
    /// <summary>The policy for endpoints that only administrators may call.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>The policy for endpoints that serve a signed-in user (any role), not a client acting for itself.</summary>
    public const string UserPolicy = "user";

    /// <summary>The policy for endpoints that serve a client acting for itself (client_credentials), not a user.</summary>
    public const string MachinePolicy = "machine";

    /// <summary>
    /// The policy for endpoints that serve a user who signed in with a second factor: the access token's <c>amr</c>
    /// holds <c>mfa</c> (RFC 8176). Refused tokens get RFC 9470's <c>insufficient_user_authentication</c> challenge.
    /// </summary>
    public const string MfaPolicy = "mfa";

    /// <summary>The <c>acr</c> a client asks for (<c>acr_values</c>) to get a token the <see cref="MfaPolicy"/> accepts.</summary>
    public const string MultiFactorLevel = "urn:identityhost:acr:mfa";

    /// <summary>
    /// Validates JWT access tokens locally, from the authority's discovery document and JWKS (cached, no call
    /// to the server per request): exact issuer, required audience, <c>typ</c> at+jwt, signed with an
    /// asymmetric algorithm, lifetime enforced with 30 seconds of skew.
    /// </summary>
    public static IHostApplicationBuilder AddResourceApiAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResourceApiOptions>()
            .BindConfiguration(ResourceApiOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(api => api.ResourceIdentifier is null || ProtectedResourceMetadata.IsValidIdentifier(api.ResourceIdentifier),
                "ResourceApi:ResourceIdentifier must be an absolute http or https URL without a query or fragment.")
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<ResourceApiOptions>, ValidatedTokenCache>((bearer, settings, cache) =>
            {
                var api = settings.Value;
                bearer.Authority = api.Authority?.ToString();
                bearer.Audience = api.Audience;
                bearer.RequireHttpsMetadata = api.RequireHttpsMetadata;
                // Note: the same JWT handler, remembering the tokens it validated (see ValidatedTokenCache); set
                // before MapInboundClaims, which applies to the handlers present.
                bearer.TokenHandlers.Clear();
                bearer.TokenHandlers.Add(cache);
                bearer.MapInboundClaims = false;
                // Note: a token signed with a key this API has not seen makes it read the JWKS again (the token
                // handler asks the configuration manager for a refresh), at most once per RefreshInterval, so a
                // rotated signing key is picked up within seconds and without a restart.
                bearer.RefreshOnIssuerKeyNotFound = true;
                bearer.RefreshInterval = TimeSpan.FromSeconds(30);
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidAudience = api.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    // Note: RFC 9068 access tokens only; an ID token (typ JWT) is refused here.
                    ValidTypes = ["at+jwt"],
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
                    NameClaimType = "name",
                    RoleClaimType = "role",
                };
                bearer.Events = new JwtBearerEvents
                {
                    OnChallenge = BearerChallenge.WriteChallengeAsync,
                    OnForbidden = BearerChallenge.WriteForbiddenAsync,
                };
            });

        // Note: a client_credentials token's subject is the client itself (sub == client_id, RFC 9068 section 2.2)
        // and it carries no role; a user's token names the user and carries the user's roles.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => !IsClientItself(context.User)))
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(context => !IsClientItself(context.User)).RequireRole("admin"))
            .AddPolicy(MfaPolicy, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(context => !IsClientItself(context.User) && context.User.HasClaim("amr", "mfa")))
            .AddPolicy(MachinePolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => IsClientItself(context.User)));
        return builder;
    }

    private static bool IsClientItself(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value is { Length: > 0 } subject && subject == user.FindFirst("client_id")?.Value;
}
