using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace IdentityHost.Samples.WebClient.SignIn;

/// <summary>Signing users in through IdentityHost, with nothing but ASP.NET Core's own OpenID Connect handler.</summary>
public static class SignInExtensions
{
    private static readonly string[] Scopes = ["openid", "profile", "roles", "offline_access", "api"];

    /// <summary>
    /// A session cookie for this application, and OpenID Connect against <c>WebClient:Authority</c>: authorization
    /// code flow with PKCE, the id token's name and roles as the user's claims, tokens kept in the session for
    /// calling the API, and sign-out that also ends the session at IdentityHost.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityHostSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityHostSignInOptions>()
            .BindConfiguration(IdentityHostSignInOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "webclient.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
            })
            .AddOpenIdConnect();

        builder.Services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .Configure<IOptions<IdentityHostSignInOptions>>((oidc, settings) =>
            {
                var client = settings.Value;
                oidc.Authority = client.Authority?.ToString();
                oidc.RequireHttpsMetadata = client.RequireHttpsMetadata;
                oidc.ClientId = client.ClientId;
                oidc.ClientSecret = client.ClientSecret;
                oidc.ResponseType = "code";
                oidc.UsePkce = true;
                oidc.Scope.Clear();
                foreach (var scope in Scopes)
                {
                    oidc.Scope.Add(scope);
                }

                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.TokenValidationParameters.NameClaimType = "name";
                oidc.TokenValidationParameters.RoleClaimType = "role";
                if (!client.RequireHttpsMetadata)
                {
                    // Note: plain-HTTP development only. These cookies are SameSite=None by default, which browsers
                    // accept only with Secure, i.e. over HTTPS; on http://localhost, Lax works, as IdentityHost and this
                    // app are the same site (ports do not count). With HTTPS they keep their secure defaults.
                    oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                    oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    oidc.NonceCookie.SameSite = SameSiteMode.Lax;
                }
            });

        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        return builder;
    }
}
