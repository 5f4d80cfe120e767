using System.Net.Http.Headers;

namespace IdentityHost.Samples.WebClient.ResourceApi;

/// <summary>Calls the SampleResourceApi with the signed-in user's access token.</summary>
public sealed class ResourceApiClient(HttpClient http)
{
    /// <summary>GET <c>/api/protected</c>: the status code and the body as the API wrote it.</summary>
    public async Task<(int Status, string Body)> GetProtectedAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
