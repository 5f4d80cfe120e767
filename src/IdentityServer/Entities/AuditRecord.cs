using System.ComponentModel.DataAnnotations.Schema;

namespace IdentityHost.IdentityServer.Entities;

/// <summary>
/// One security event in the append-only audit table: what happened (<see cref="Type"/>, one of
/// <c>Common.AuditEvents</c>), to whom, through which client, from where, and when. Rows are only ever inserted, and
/// deleted by the retention pruner once older than <c>Audit:Retention</c>; nothing updates them. Never a password,
/// token or secret.
/// </summary>
public sealed class AuditRecord
{
    /// <summary>The maximum length of <see cref="Detail"/>; longer details are cut.</summary>
    public const int DetailMaxLength = 512;

    /// <summary>The maximum length of <see cref="UserId"/> and <see cref="ClientId"/>.</summary>
    public const int IdMaxLength = 191;

    /// <summary>The maximum length of <see cref="Type"/>.</summary>
    public const int TypeMaxLength = 64;

    /// <summary>The maximum length of <see cref="TraceId"/>.</summary>
    public const int TraceIdMaxLength = 32;

    /// <summary>The maximum length of <see cref="IpAddress"/>.</summary>
    public const int AddressMaxLength = 64;

    /// <summary>Increasing with insertion order on one database, which is what the API's cursor pages by.</summary>
    public long Id { get; set; }

    /// <summary>When the event happened (UTC, from the server's clock).</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary>The event's name, for example <c>login.failed</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The user it concerns, when known.</summary>
    public string? UserId { get; set; }

    /// <summary>The OAuth client of the request, when there was one.</summary>
    public string? ClientId { get; set; }

    /// <summary>The address the request came from, when it came over HTTP.</summary>
    public string? IpAddress { get; set; }

    /// <summary>What else the event says (a reason, the roles before and after), written by the server, never user input alone.</summary>
    public string? Detail { get; set; }

    /// <summary>The W3C trace id of the request, so the event can be found beside its trace and log lines.</summary>
    public string? TraceId { get; set; }

    /// <summary>
    /// Set when a save that carried this record failed: the change it records did not happen, so the record is
    /// dropped rather than written afterwards.
    /// </summary>
    [NotMapped]
    public bool Abandoned { get; set; }
}
