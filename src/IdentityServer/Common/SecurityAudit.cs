using System.Diagnostics;
using Microsoft.AspNetCore;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// Writes security events as structured log events (category <c>IdentityHost.Audit</c>): what happened, to which
/// user, through which client, from which address; and hands each to the <see cref="IAuditSink"/>, which stores it in
/// the audit table. Never a password, token or secret; an unknown user name is not logged either, as people sometimes
/// type their password into it.
/// </summary>
public sealed class SecurityAudit(ILoggerFactory loggers, IHttpContextAccessor http, TimeProvider clock, IAuditSink? sink = null)
{
    /// <summary>The log category of audit events.</summary>
    public const string Category = "IdentityHost.Audit";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>Records <paramref name="auditEvent"/> (one of <see cref="AuditEvents"/>) for <paramref name="userId"/> (null: unknown user).</summary>
    /// <remarks><paramref name="clientId"/> names the client the event is about; by default, the client of the OAuth request.</remarks>
    public void Write(string auditEvent, string? userId, string? detail = null, string? clientId = null)
    {
        var context = http.HttpContext;
        clientId ??= context?.GetOpenIddictServerRequest()?.ClientId;
        var address = context?.Connection.RemoteIpAddress?.ToString();
        _logger.LogInformation(
            "Audit {AuditEvent}: user {UserId}, client {ClientId}, from {ClientIp} {AuditDetail}",
            auditEvent, userId ?? "(unknown)", clientId ?? "(none)", address ?? "(unknown)", detail ?? string.Empty);
        sink?.Record(new AuditEntry(
            clock.GetUtcNow().UtcDateTime, auditEvent, userId, clientId, address, detail, Activity.Current?.TraceId.ToHexString()));
    }
}

/// <summary>One security event as <see cref="SecurityAudit"/> hands it to an <see cref="IAuditSink"/>.</summary>
/// <param name="OccurredAt">When (UTC, from the server's clock).</param>
/// <param name="Type">One of <see cref="AuditEvents"/>.</param>
/// <param name="UserId">The user it concerns, when known.</param>
/// <param name="ClientId">The OAuth client of the request, as sent.</param>
/// <param name="IpAddress">The address the request came from.</param>
/// <param name="Detail">What else the server says of it.</param>
/// <param name="TraceId">The W3C trace id of the request.</param>
public sealed record AuditEntry(
    DateTime OccurredAt, string Type, string? UserId, string? ClientId, string? IpAddress, string? Detail, string? TraceId);

/// <summary>Where <see cref="SecurityAudit"/> sends each event to be stored (the audit table, in <c>Audit</c>).</summary>
public interface IAuditSink
{
    /// <summary>
    /// Stores <paramref name="entry"/>: in the caller's database transaction when one is open (so it commits or rolls back
    /// with the change it records), otherwise soon after.
    /// </summary>
    void Record(AuditEntry entry);
}

/// <summary>The names of the audit events <see cref="SecurityAudit"/> writes.</summary>
public static class AuditEvents
{
    public const string UserRegistered = "user.registered";
    public const string UserCreated = "user.created";
    public const string UserEnabled = "user.enabled";
    public const string UserDisabled = "user.disabled";
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
    public const string SessionsEndedByAdministrator = "user.sessions_ended";
    public const string ResetLinkSentByAdministrator = "user.reset_link_sent";
    public const string AppRevoked = "app.revoked";
    public const string UserDeleted = "user.deleted";
    public const string DataExported = "user.data_exported";
    public const string ClientCreated = "client.created";
    public const string ClientUpdated = "client.updated";
    public const string ClientDeleted = "client.deleted";
    public const string ClientSecretRotated = "client.secret_rotated";
    public const string MfaEnabled = "mfa.totp_enabled";
    public const string MfaSucceeded = "mfa.succeeded";
    public const string MfaFailed = "mfa.failed";
    public const string MfaLockedOut = "mfa.locked_out";
    public const string MfaRequired = "mfa.required";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string RecoveryCodesRegenerated = "mfa.recovery_codes_regenerated";
    public const string MfaRemoved = "mfa.removed";
    public const string MfaReset = "mfa.reset";
    public const string PasskeyAdded = "mfa.passkey_added";
    public const string PasskeyRenamed = "mfa.passkey_renamed";
    public const string PasskeyRemoved = "mfa.passkey_removed";
    public const string PasskeySucceeded = "mfa.passkey_succeeded";
    public const string PasskeyFailed = "mfa.passkey_failed";
}
