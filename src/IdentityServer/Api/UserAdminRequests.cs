using System.ComponentModel.DataAnnotations;
using IdentityHost.IdentityServer.Users;
using Microsoft.AspNetCore.Mvc;

namespace IdentityHost.IdentityServer.Api;

/// <summary>The query of <c>GET /api/users</c>.</summary>
/// <param name="Search">A prefix of the user name or of the email address, in any case; left out: every user.</param>
/// <param name="Cursor">The <c>next</c> of the page before; left out: the first page.</param>
/// <param name="PageSize">
/// Users per page, 1 to 100 (default 25). Note: read as text and checked here, so that a value that is no number is a
/// validation problem like any other, not a binding failure.
/// </param>
public sealed record UserSearchQuery(
    [property: FromQuery(Name = "search")]
    [property: MaxLength(UserDirectory.MaxSearchLength, ErrorMessage = "The search is longer than 256 characters.")]
    string? Search,
    [property: FromQuery(Name = "cursor")]
    [property: MaxLength(2_048, ErrorMessage = "The cursor is not one this search gave; start again without it.")]
    string? Cursor,
    [property: FromQuery(Name = "pageSize")]
    [property: RegularExpression("^0*([1-9][0-9]?|100)$", ErrorMessage = UserSearchQuery.PageSizeMessage)]
    string? PageSize)
{
    internal const string PageSizeMessage = "The page size must be a whole number from 1 to 100.";

    /// <summary>The page size asked for (valid once validated), or the default.</summary>
    public int Size => PageSize is null ? UserDirectory.DefaultPageSize : int.Parse(PageSize, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The body of <c>POST /api/users</c>. There is no password: the new user gets a link by mail to set one, so the
/// address is required.
/// </summary>
/// <param name="Username">Trimmed and NFKC-normalized before the rules apply.</param>
/// <param name="Email">Where the set-password link goes.</param>
/// <param name="Roles">The user's roles; <c>["user"]</c> when left out.</param>
public sealed record CreateUserRequest(
    [property: Required(ErrorMessage = "A username is required.")] string? Username,
    [property: Required(ErrorMessage = "An email address is required: the new user sets their password with a link sent to it.")]
    [property: MaxLength(320, ErrorMessage = "The email address is too long.")]
    string? Email,
    [property: KnownRole] IReadOnlyList<string?>? Roles = null);
