using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// How the JSON APIs read their bodies: the framework binds each endpoint's request record, strictly (a key twice is
/// an error), and <see cref="RequestValidation"/> checks the record's attributes; every way a body can be unreadable
/// becomes a problem answer naming the field (<see cref="Describe(BadHttpRequestException)"/>), never the framework's
/// bare 400.
/// </summary>
public static class JsonRequests
{
    /// <summary>The title of a 415 answer.</summary>
    public const string UnsupportedMediaTypeTitle = "Unsupported media type";

    /// <summary>
    /// Makes JSON binding strict (duplicate keys refused) and throw on a bad body, so the exception handler answers it
    /// with a problem naming the field.
    /// </summary>
    public static IHostApplicationBuilder AddJsonRequests(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.AllowDuplicateProperties = false);
        // Note: the framework otherwise answers an unreadable body with an empty 400 (outside Development); thrown,
        // it reaches the one exception handler, which knows which field was wrong.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// What went wrong with a request body the framework could not bind: 415 for a body that is not JSON, else a 400
    /// with the field at fault (<c>body</c> for a body that is missing or not an object). Null when
    /// <paramref name="exception"/> is not about a JSON body.
    /// </summary>
    public static (int Status, IDictionary<string, string[]>? Errors)? Describe(BadHttpRequestException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (StatusCodes.Status415UnsupportedMediaType, null);
        }

        if (exception.InnerException is JsonException json)
        {
            return (StatusCodes.Status400BadRequest, Describe(json));
        }

        // Note: the framework's words for an empty body, or the JSON literal null, where an object was required.
        return exception.Message.Contains("body", StringComparison.OrdinalIgnoreCase) ||
               exception.Message.Contains("was not provided", StringComparison.OrdinalIgnoreCase)
            ? (StatusCodes.Status400BadRequest, new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] })
            : null;
    }

    /// <summary>The field a JSON body was wrong at (<c>body</c> when it is not an object at all), with what was wrong.</summary>
    public static IDictionary<string, string[]> Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var field = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? JsonNamingPolicy.CamelCase.ConvertName(path[2..].Split('.', '[')[0])
            : "body";
        var message = field == "body"
            ? "The request body is missing or is not a valid JSON object."
            : exception.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"The '{field}' field appears more than once."
                : $"The '{field}' field has the wrong type.";
        return new Dictionary<string, string[]> { [field] = [message] };
    }
}
