using System.Net;
using System.Text.Json;

namespace IdentityHost.Testing;

/// <summary>Reads RFC 7807 problem details and OAuth error responses the way a client would.</summary>
public static class Problem
{
    /// <summary>
    /// Asserts the response is <c>application/problem+json</c> with the given status, and returns its body.
    /// </summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        return body;
    }

    /// <summary>The field names of a validation problem's <c>errors</c> object.</summary>
    public static IReadOnlyList<string> ErrorFields(JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateObject().Select(property => property.Name)];
}
