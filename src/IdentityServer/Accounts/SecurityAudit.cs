using Microsoft.AspNetCore;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Writes security events as structured log events (category <c>IdentityHost.Audit</c>): what happened, to which
/// user, through which client, from which address. Never a password, token or secret; an unknown user name is
/// not logged either, as people sometimes type their password into it.
/// </summary>
public sealed class SecurityAudit(ILoggerFactory loggers, IHttpContextAccessor http)
{
    private readonly ILogger _logger = loggers.CreateLogger("IdentityHost.Audit");

    /// <summary>Records <paramref name="auditEvent"/> (e.g. <c>login.failed</c>) for <paramref name="userId"/> (null: unknown user).</summary>
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
