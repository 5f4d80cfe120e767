using IdentityHost.IdentityServer.Common;

namespace IdentityHost.IdentityServer.Resources;

/// <summary>
/// The APIs tokens may be issued for: <c>OpenIddict:Apis</c>, plus the built-in API behind the <c>api</c> scope whose
/// audience is <c>OpenIddict:ApiAudience</c> (default <c>resource_api</c>) unless an entry of that name is configured.
/// </summary>
public sealed class ApiResourceOptions
{
    public const string SectionName = "OpenIddict";

    /// <summary>The configured APIs.</summary>
    public List<ApiResource> Apis { get; set; } = [];

    /// <summary>The audience of tokens granted the <c>api</c> scope (<c>OpenIddict:ApiAudience</c>).</summary>
    public string ApiAudience { get; set; } = "resource_api";

    /// <summary>Every API: the configured ones, and the built-in one unless configured under its name.</summary>
    public IReadOnlyList<ApiResource> All =>
        Apis.Any(api => string.Equals(api.Name, ApiAudience, StringComparison.Ordinal))
            ? Apis
            : [.. Apis, new ApiResource { Name = ApiAudience, Scopes = [IdentityHostScopes.Api] }];

    /// <summary>The API a resource indicator names, or null.</summary>
    public ApiResource? FindByUri(string? resource) =>
        resource is null ? null : All.FirstOrDefault(api => api.Uri is { } uri && string.Equals(uri.AbsoluteUri, resource, StringComparison.Ordinal));

    /// <summary>The API of that audience name, or null.</summary>
    public ApiResource? FindByName(string? name) =>
        name is null ? null : All.FirstOrDefault(api => string.Equals(api.Name, name, StringComparison.Ordinal));

    /// <summary>The audiences that <paramref name="scopes"/> grant.</summary>
    public IEnumerable<string> AudiencesOf(IEnumerable<string> scopes)
    {
        var granted = scopes.ToHashSet(StringComparer.Ordinal);
        return All.Where(api => api.Scopes.Any(granted.Contains)).Select(api => api.Name).Distinct(StringComparer.Ordinal);
    }
}
