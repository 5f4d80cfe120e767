using IdentityHost.IdentityServer.Common;
using Microsoft.Extensions.Options;

namespace IdentityHost.IdentityServer.Resources;

/// <summary>Fails start-up on an API entry that cannot work, naming the offending key.</summary>
internal sealed class ApiResourceOptionsValidator : IValidateOptions<ApiResourceOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiResourceOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiAudience))
        {
            failures.Add("OpenIddict:ApiAudience must not be empty.");
        }

        for (var index = 0; index < options.Apis.Count; index++)
        {
            var api = options.Apis[index];
            var key = api.ConfigurationKey ?? $"OpenIddict:Apis:{index}";
            if (string.IsNullOrWhiteSpace(api.Name))
            {
                failures.Add($"{key}:Name is required: it is the audience of the API's tokens.");
            }

            // Note: RFC 8707 section 2: an absolute URI without a fragment.
            if (api.Uri is { } uri && (!uri.IsAbsoluteUri || uri.Fragment.Length > 0 || uri.IsFile))
            {
                failures.Add($"{key}:Uri must be an absolute URI without a fragment (RFC 8707).");
            }

            failures.AddRange(api.Scopes.Except(IdentityHostScopes.All, StringComparer.Ordinal)
                .Select(scope => $"{key}:Scopes has '{scope}'; supported: {string.Join(", ", IdentityHostScopes.All)}."));
        }

        failures.AddRange(options.Apis.GroupBy(api => api.Name, StringComparer.Ordinal).Where(group => group.Count() > 1)
            .Select(group => $"OpenIddict:Apis names '{group.Key}' more than once."));
        failures.AddRange(options.Apis.Where(api => api.Uri is not null).GroupBy(api => api.Uri!.AbsoluteUri, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => $"OpenIddict:Apis gives the resource URI '{group.Key}' to more than one API."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
