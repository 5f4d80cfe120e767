using Microsoft.AspNetCore;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// Writes security events as structured log events (category <c>IdentityHost.Audit</c>): what happened, to which
/// user, through which client, from which address. Never a password, token or secret; an unknown user name is
/// not logged either, as people sometimes type their password into it.
/// </summary>
public sealed class SecurityAudit(ILoggerFactory loggers, IHttpContextAccessor http)
{
    /// <summary>The log category of audit events.</summary>
    public const string Category = "IdentityHost.Audit";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>Records <paramref name="auditEvent"/> (one of <see cref="AuditEvents"/>) for <paramref name="userId"/> (null: unknown user).</summary>
    public void Write(string auditEvent, string? userId, string? detail = null)
    {
        var context = http.HttpContext;
        var clientId = context?.GetOpenIddictServerRequest()?.ClientId;
        var address = context?.Connection.RemoteIpAddress?.ToString();
        _logger.LogInformation(
            "Audit {AuditEvent}: user {UserId}, client {ClientId}, from {ClientIp} {AuditDetail}",
            auditEvent, userId ?? "(unknown)", clientId ?? "(none)", address ?? "(unknown)", detail ?? string.Empty);
    }
}

/// <summary>The names of the audit events <see cref="SecurityAudit"/> writes.</summary>
public static class AuditEvents
{
    public const string UserRegistered = "user.registered";
    public const string UserEnabled = "user.enabled";
    public const string UserRolesChanged = "user.roles_changed";
    public const string PasswordChanged = "password.changed";
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LoginLockedOut = "login.locked_out";
    public const string CodeRedeemed = "code.redeemed";
    public const string TokenRefreshed = "token.refreshed";
    public const string TokenRevoked = "token.revoked";
    public const string TokensRevoked = "tokens.revoked";
    public const string DeviceCodeRedeemed = "device_code.redeemed";
    public const string DeviceApproved = "device.approved";
    public const string DeviceDenied = "device.denied";
    public const string TokenExchanged = "token.exchanged";
    public const string TokenExchangeRefused = "token.exchange_refused";
    public const string EmailVerificationSent = "email.verification_sent";
    public const string EmailVerified = "email.verified";
    public const string EmailChanged = "email.changed";
    public const string PasswordResetRequested = "password_reset.requested";
    public const string PasswordResetSent = "password_reset.sent";
    public const string PasswordResetThrottled = "password_reset.throttled";
    public const string PasswordResetFailed = "password_reset.failed";
    public const string PasswordReset = "password.reset";
    public const string SessionRevoked = "session.revoked";
    public const string AppRevoked = "app.revoked";
    public const string UserDeleted = "user.deleted";
    public const string DataExported = "user.data_exported";
    public const string MfaEnabled = "mfa.totp_enabled";
    public const string MfaSucceeded = "mfa.succeeded";
    public const string MfaFailed = "mfa.failed";
    public const string MfaLockedOut = "mfa.locked_out";
    public const string MfaRequired = "mfa.required";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string RecoveryCodesRegenerated = "mfa.recovery_codes_regenerated";
    public const string MfaRemoved = "mfa.removed";
    public const string MfaReset = "mfa.reset";
}
