using System.Diagnostics.Metrics;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// IdentityHost's own instruments, on the meter <see cref="MeterName"/>: what an operator watches besides ASP.NET
/// Core's and Identity's built-in meters. Recording is cheap when nothing listens, so features record unconditionally.
/// </summary>
public sealed class IdentityHostMetrics
{
    /// <summary>The meter's name, for exporters.</summary>
    public const string MeterName = "IdentityHost";

    private readonly Counter<long> _signIns;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _tokensIssued;
    private readonly Counter<long> _mailsSent;
    private readonly Counter<long> _mailsFailed;
    private readonly Counter<long> _keyRotations;
    private long _outboxDepth;

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>, so each host has its own.</summary>
    public IdentityHostMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _signIns = meter.CreateCounter<long>(
            "identityhost.sign_ins", "{sign_in}", "Sign-in attempts, by result (succeeded, failed, refused, locked_out) and method.");
        _lockouts = meter.CreateCounter<long>(
            "identityhost.lockouts", "{lockout}", "Accounts locked out after too many failed attempts.");
        _tokensIssued = meter.CreateCounter<long>(
            "identityhost.tokens_issued", "{response}", "Successful token endpoint responses, by grant type.");
        _mailsSent = meter.CreateCounter<long>("identityhost.mails_sent", "{mail}", "Mails the SMTP server accepted.");
        _mailsFailed = meter.CreateCounter<long>(
            "identityhost.mails_failed", "{attempt}", "Mail delivery attempts that failed (the mail stays in the outbox and is tried again later).");
        _keyRotations = meter.CreateCounter<long>(
            "identityhost.key_rotations", "{key}", "Signing and encryption keys created by the key ring, by use.");
        meter.CreateObservableGauge(
            "identityhost.mail_outbox_depth", () => Volatile.Read(ref _outboxDepth), "{mail}",
            "Rows waiting in the outbox (mails and account requests), as last counted by the sender on this node.");
    }

    /// <summary>Counts a sign-in attempt: <paramref name="method"/> (for example <c>password</c>) and its <paramref name="result"/>.</summary>
    public void SignIn(string method, string result) =>
        _signIns.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("result", result));

    /// <summary>Counts an account locked out.</summary>
    public void Lockout() => _lockouts.Add(1);

    /// <summary>Counts a successful token response for <paramref name="grantType"/>.</summary>
    public void TokenIssued(string grantType) => _tokensIssued.Add(1, new KeyValuePair<string, object?>("grant_type", grantType));

    /// <summary>Counts a mail the SMTP server accepted.</summary>
    public void MailSent() => _mailsSent.Add(1);

    /// <summary>Counts a failed delivery attempt.</summary>
    public void MailFailed() => _mailsFailed.Add(1);

    /// <summary>Sets the outbox depth the gauge reports.</summary>
    public void OutboxDepth(long depth) => Volatile.Write(ref _outboxDepth, depth);

    /// <summary>Counts a key the key ring created, for <paramref name="use"/> (<c>signing</c> or <c>encryption</c>).</summary>
    public void KeyCreated(string use) => _keyRotations.Add(1, new KeyValuePair<string, object?>("use", use));
}

/// <summary>The values of the <c>result</c> tag of <c>identityhost.sign_ins</c>.</summary>
public static class SignInResults
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refused = "refused";
    public const string LockedOut = "locked_out";
}
