using IdentityHost.IdentityServer.Mail;

namespace IdentityHost.IdentityServer.Recovery;

/// <summary>Registers self-service recovery: password reset, email verification links, and their pages.</summary>
public static class RecoveryExtensions
{
    /// <summary>
    /// Adds <see cref="PasswordRecovery"/> and <see cref="VerificationResend"/>, with the outbox handlers that look accounts
    /// up away from the request path. The pages (<c>/account/forgot-password</c>, <c>/account/reset-password</c>,
    /// <c>/account/verify-email</c>, <c>/account/verify-email/resend</c>) are Razor pages of this folder.
    /// </summary>
    public static IHostApplicationBuilder AddAccountRecovery(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<PasswordRecovery>();
        builder.Services.AddScoped<VerificationResend>();
        builder.Services.AddScoped<IOutboxHandler, PasswordResetRequestHandler>();
        builder.Services.AddScoped<IOutboxHandler, VerificationResendHandler>();
        return builder;
    }
}
