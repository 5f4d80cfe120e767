using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>Registers the second factors (authenticator codes, recovery codes and passkeys).</summary>
public static class MfaExtensions
{
    /// <summary>
    /// Adds <c>Accounts:Mfa</c> (validated at start-up) and <see cref="SecondFactors"/>. Note: <c>RequiredForRoles</c>
    /// defaults to <c>["admin"]</c> only when the key is absent, since configuration binding can add to a list but not
    /// empty it.
    /// </summary>
    public static IHostApplicationBuilder AddMfa(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(MfaOptions.SectionName);
        builder.Services.AddOptions<MfaOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
                var roles = section.GetSection(nameof(MfaOptions.RequiredForRoles));
                var given = roles.Exists() ? options.RequiredForRoles.Where(role => !string.IsNullOrWhiteSpace(role)).ToList() : [.. MfaOptions.DefaultRequiredForRoles];
                options.RequiredForRoles.Clear();
                foreach (var role in given)
                {
                    options.RequiredForRoles.Add(role.Trim());
                }
            })
            .Validate(options => options.LockoutThreshold >= 1, "Accounts:Mfa:LockoutThreshold must be at least 1.")
            .Validate(options => options.LockoutDuration > TimeSpan.Zero, "Accounts:Mfa:LockoutDuration must be positive.")
            .Validate(options => !string.IsNullOrWhiteSpace(options.Issuer), "Accounts:Mfa:Issuer must not be empty.")
            .ValidateOnStart();
        builder.Services.AddScoped<SecondFactors>();
        builder.AddPasskeys();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Adds <see cref="Passkeys"/> and Identity's passkey handler, with <c>Accounts:Mfa:Passkeys</c> bound to
    /// <see cref="IdentityPasskeyOptions"/> (validated at start-up). The relying party id (<c>ServerDomain</c>) defaults to
    /// the host of <c>OpenIddict:Issuer</c>, so passkeys are bound to the name users sign in at, not to whatever Host header
    /// a request brings; without an issuer (Development) Identity takes the request's host. User verification and
    /// discoverable credentials are required: a passkey alone then proves two factors, and works without a user name.
    /// </summary>
    public static IHostApplicationBuilder AddPasskeys(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.Services.AddOptions<IdentityPasskeyOptions>()
            .Configure(options =>
            {
                options.UserVerificationRequirement = "required";
                options.ResidentKeyRequirement = "required";
            })
            .Bind(configuration.GetSection(PasskeySectionName))
            .PostConfigure(options =>
            {
                var issuer = Uri.TryCreate(configuration["OpenIddict:Issuer"], UriKind.Absolute, out var configured) ? configured : null;
                // Note: a relying party id is a domain name; under an issuer at an IP address (a loopback test server)
                // passkeys cannot work, and the rest of the server starts as before.
                if (string.IsNullOrWhiteSpace(options.ServerDomain) && issuer?.HostNameType == UriHostNameType.Dns)
                {
                    options.ServerDomain = issuer.Host;
                }

                // Note: Identity's default compares the credential's origin with the request's Origin header, which these
                // pages' Referrer-Policy (no-referrer) makes "null" on a form post; the origin is the issuer's instead.
                options.ValidateOrigin ??= context => ValueTask.FromResult(IsExpectedOrigin(context, issuer));
            })
            .Validate(options => options.ServerDomain is null || Uri.CheckHostName(options.ServerDomain) == UriHostNameType.Dns,
                PasskeySectionName + ":ServerDomain must be a host name (the relying party id, such as login.example.com), without scheme or port.")
            .Validate(options => IsSuffixOfIssuerHost(options.ServerDomain, configuration["OpenIddict:Issuer"]),
                PasskeySectionName + ":ServerDomain must be the host of OpenIddict:Issuer or a parent domain of it: browsers refuse any other relying party id.")
            .Validate(options => options.UserVerificationRequirement is "required" or "preferred" or "discouraged",
                PasskeySectionName + ":UserVerificationRequirement must be required, preferred or discouraged.")
            .Validate(options => options.ResidentKeyRequirement is "required" or "preferred",
                PasskeySectionName + ":ResidentKeyRequirement must be required or preferred: sign-in without a user name needs discoverable passkeys.")
            .Validate(options => options.AuthenticatorTimeout > TimeSpan.Zero, PasskeySectionName + ":AuthenticatorTimeout must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddScoped<IPasskeyHandler<ApplicationUser>, PasskeyHandler<ApplicationUser>>();
        builder.Services.AddScoped<Passkeys>();
        return builder;
    }

    /// <summary>The configuration section of the passkey options.</summary>
    public const string PasskeySectionName = MfaOptions.SectionName + ":Passkeys";

    /// <summary>
    /// Whether a ceremony came from this server's own pages, not a frame: its origin is the issuer's (scheme, host and
    /// port), or without an issuer (Development) the request's own.
    /// </summary>
    private static bool IsExpectedOrigin(PasskeyOriginValidationContext context, Uri? issuer)
    {
        var request = context.HttpContext.Request;
        var expected = issuer ?? new Uri(request.Scheme + "://" + request.Host.Value);
        return !context.CrossOrigin && context.TopOrigin is null &&
            Uri.TryCreate(context.Origin, UriKind.Absolute, out var origin) &&
            Uri.Compare(origin, expected, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
    }

    private static bool IsSuffixOfIssuerHost(string? serverDomain, string? issuer) =>
        serverDomain is null || !Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.HostNameType != UriHostNameType.Dns ||
        string.Equals(uri.Host, serverDomain, StringComparison.OrdinalIgnoreCase) ||
        uri.Host.EndsWith("." + serverDomain, StringComparison.OrdinalIgnoreCase);
}
