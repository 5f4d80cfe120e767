using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityHost.SampleResourceApi.Authentication;

/// <summary>How this API trusts IdentityHost's access tokens.</summary>
public static class AuthenticationExtensions
{
    /// <summary>The policy for endpoints that only administrators may call.</summary>
    public const string AdminPolicy = "admin";

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
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<ResourceApiOptions>>((bearer, settings) =>
            {
                var api = settings.Value;
                bearer.Authority = api.Authority?.ToString();
                bearer.Audience = api.Audience;
                bearer.RequireHttpsMetadata = api.RequireHttpsMetadata;
                bearer.MapInboundClaims = false;
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

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole("admin"));
        return builder;
    }
}
