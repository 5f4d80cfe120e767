using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentityHost.IdentityServer.Api;

/// <summary>An audit event as the API shows it.</summary>
public sealed record AuditEventResponse(
    long Id, DateTime OccurredAt, string Type, string? UserId, string? ClientId, string? IpAddress, string? Detail, string? TraceId)
{
    /// <summary>The answer for <paramref name="record"/>.</summary>
    public static AuditEventResponse For(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.OccurredAt, record.Type, record.UserId, record.ClientId, record.IpAddress, record.Detail, record.TraceId);
    }
}

/// <summary>A page of audit events, newest first; <c>next</c> is the cursor of the following page, null on the last.</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditEventResponse> Items, string? Next);

/// <summary>
/// <c>/api/audit</c>, for administrators: search the audit table (by user, client, type and time, newest first, paged by
/// a cursor), read one event, and export the matches as JSON lines.
/// </summary>
public static partial class AuditApi
{
    private const int DefaultPageSize = 50;

    private static readonly JsonSerializerOptions JsonLines = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// Maps <c>GET /api/audit</c> (query: <c>userId</c>, <c>clientId</c>, <c>type</c>, <c>from</c>, <c>to</c>, <c>cursor</c>,
    /// <c>pageSize</c>), <c>GET /api/audit/{id}</c> and <c>GET /api/audit/export</c> (the same filters, every match as one
    /// JSON object per line, oldest first), all under <see cref="AuthorizationPolicies.Admin"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var audit = endpoints.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(AuthorizationPolicies.Admin);
        audit.MapGet(string.Empty, SearchAsync);
        audit.MapGet("/{id:long}", GetAsync).Answers(StatusCodes.Status404NotFound, "No audit event has this id.");
        audit.MapGet("/export", ExportAsync)
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .Answers(StatusCodes.Status400BadRequest, "A filter is not valid.");
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPageResponse>, ValidationProblem>> SearchAsync(
        string? userId, string? clientId, string? type, string? from, string? to, string? cursor, string? pageSize,
        AuditSearch search, HttpContext context)
    {
        if (ReadFilter(userId, clientId, type, from, to, out var filter) is { } invalid)
        {
            return invalid;
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return ErrorResponses.Invalid("cursor", "The cursor is not one this API gave.");
            }

            before = id;
        }

        var size = DefaultPageSize;
        if (pageSize is not null &&
            (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > AuditSearch.MaxPageSize))
        {
            return ErrorResponses.Invalid("pageSize", $"The page size must be a whole number from 1 to {AuditSearch.MaxPageSize}.");
        }

        var page = await search.FindAsync(filter, before, size, context.RequestAborted);
        return TypedResults.Ok(new AuditPageResponse(
            [.. page.Items.Select(AuditEventResponse.For)], page.NextBefore?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<Results<Ok<AuditEventResponse>, ProblemHttpResult>> GetAsync(long id, AuditSearch search, HttpContext context) =>
        await search.FindAsync(id, context.RequestAborted) is { } record
            ? TypedResults.Ok(AuditEventResponse.For(record))
            : ErrorResponses.NotFound("No audit event has this id.");

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportAsync(
        string? userId, string? clientId, string? type, string? from, string? to, AuditSearch search, HttpContext context)
    {
        if (ReadFilter(userId, clientId, type, from, to, out var filter) is { } invalid)
        {
            return invalid;
        }

        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"audit.jsonl\"";
        await using var writer = new StreamWriter(context.Response.Body, new System.Text.UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await foreach (var record in search.ExportAsync(filter).WithCancellation(context.RequestAborted))
        {
            await writer.WriteAsync(JsonSerializer.Serialize(AuditEventResponse.For(record), JsonLines));
            await writer.WriteAsync('\n');
        }

        await writer.FlushAsync(context.RequestAborted);
        return TypedResults.Empty;
    }

    private static ValidationProblem? ReadFilter(
        string? userId, string? clientId, string? type, string? from, string? to, out AuditFilter filter)
    {
        filter = new(Blank(userId), Blank(clientId), Blank(type), null, null);
        DateTime? start = null, end = null;
        if (from is not null)
        {
            if (!TryReadTime(from, out var value))
            {
                return ErrorResponses.Invalid("from", "The time must be ISO 8601 with an offset, for example 2026-12-01T00:00:00Z.");
            }

            start = value;
        }

        if (to is not null)
        {
            if (!TryReadTime(to, out var value))
            {
                return ErrorResponses.Invalid("to", "The time must be ISO 8601 with an offset, for example 2026-12-01T00:00:00Z.");
            }

            end = value;
        }

        if (start > end)
        {
            return ErrorResponses.Invalid("to", "The end of the range is before its start.");
        }

        filter = filter with { From = start, To = end };
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryReadTime(string text, out DateTime value)
    {
        // Note: a time without an offset would be read in the server's zone; the API takes only unambiguous times.
        value = default;
        if (!ExplicitOffset().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return false;
        }

        value = time.UtcDateTime;
        return true;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex ExplicitOffset();
}
