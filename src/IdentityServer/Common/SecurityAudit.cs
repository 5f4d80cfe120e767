using System.Diagnostics;
using IdentityHost.IdentityServer.Entities;
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
    public void Write(string auditEvent, string? userId, string? detail = null)
    {
        var context = http.HttpContext;
        var clientId = context?.GetOpenIddictServerRequest()?.ClientId;
        var address = context?.Connection.RemoteIpAddress?.ToString();
        _logger.LogInformation(
            "Audit {AuditEvent}: user {UserId}, client {ClientId}, from {ClientIp} {AuditDetail}",
            auditEvent, userId ?? "(unknown)", clientId ?? "(none)", address ?? "(unknown)", detail ?? string.Empty);
        sink?.Record(new AuditRecord
        {
            OccurredAt = clock.GetUtcNow().UtcDateTime,
            Type = auditEvent,
            // Note: a client id comes from the request as sent; every text is cut to its column so no insert is refused.
            UserId = Cut(userId, AuditRecord.IdMaxLength),
            ClientId = Cut(clientId, AuditRecord.IdMaxLength),
            IpAddress = Cut(address, AuditRecord.AddressMaxLength),
            Detail = Cut(detail, AuditRecord.DetailMaxLength),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        });
    }

    private static string? Cut(string? value, int length) => value is not null && value.Length > length ? value[..length] : value;
}

/// <summary>Where <see cref="SecurityAudit"/> sends each event to be stored (the audit table, in <c>Audit</c>).</summary>
public interface IAuditSink
{
    /// <summary>
    /// Stores <paramref name="record"/>: in the caller's database transaction when one is open (so it commits or rolls back
    /// with the change it records), otherwise soon after.
    /// </summary>
    void Record(AuditRecord record);
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
}
