using System.Globalization;
using System.Reflection;
using IdentityHost.IdentityServer.Audit;
using IdentityHost.IdentityServer.Common;
using IdentityHost.IdentityServer.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Admin;

/// <summary>The audit log (<c>/admin/audit</c>): events by user, client, type and time, newest first, a page at a time.</summary>
public sealed class AuditModel(UserManager<ApplicationUser> users, AuditSearch search) : AdminPage(users)
{
    /// <summary>Events per page.</summary>
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "client")]
    public string? ClientId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public AuditPage Results { get; private set; } = new([], null);

    public string? Error { get; private set; }

    /// <summary>The event types the server writes, offered as suggestions.</summary>
    public IReadOnlyList<string> KnownTypes { get; } = [.. typeof(AuditEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral).Select(field => (string)field.GetRawConstantValue()!).Order(StringComparer.Ordinal)];

    public async Task OnGetAsync()
    {
        if (!TryTime(From, out var from) || !TryTime(To, out var to))
        {
            Fail("A time must be a date and time, for example 2026-12-01T08:00.");
            return;
        }

        long? before = null;
        if (!string.IsNullOrEmpty(Cursor))
        {
            if (!long.TryParse(Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                Fail("This page link is not valid; search again.");
                return;
            }

            before = id;
        }

        static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        Results = await search.FindAsync(new AuditFilter(Blank(UserId), Blank(ClientId), Blank(Type), from, to), before, PageSize, HttpContext.RequestAborted);
    }

    private void Fail(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    /// <summary>A time from the form's <c>datetime-local</c> field, read as UTC (the page says so).</summary>
    private static bool TryTime(string? text, out DateTime? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return false;
        }

        value = DateTime.SpecifyKind(time, DateTimeKind.Utc);
        return true;
    }
}
