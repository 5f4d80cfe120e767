using System.Text.Json;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Reads a JSON request body strictly (no duplicate keys) and turns every way it can be wrong into field
/// errors for a 400 problem, instead of the framework's bare 400 or a 500.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowDuplicateProperties = false,
    };

    /// <summary>Deserializes the body; on failure returns null and the errors, keyed by field (or <c>body</c>).</summary>
    public static async Task<(T? Value, Dictionary<string, string[]>? Errors)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            return value is null
                ? (null, new() { ["body"] = ["A JSON object is required."] })
                : (value, null);
        }
        catch (JsonException exception)
        {
            var field = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
                ? JsonNamingPolicy.CamelCase.ConvertName(path[2..])
                : "body";
            var message = field == "body"
                ? "The request body is missing or is not a valid JSON object."
                : exception.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                    ? $"The '{field}' field appears more than once."
                    : $"The '{field}' field must be a string.";
            return (null, new() { [field] = [message] });
        }
    }

    /// <summary>True when the request says its body is JSON (or says nothing, which an empty body may).</summary>
    public static bool HasAcceptableContentType(HttpRequest request) =>
        request.HasJsonContentType() || (string.IsNullOrEmpty(request.ContentType) && request.ContentLength is null or 0);
}
