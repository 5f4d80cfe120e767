using System.Collections.Concurrent;

namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>Counts (and remembers) the requests the resource API makes to the identity server (discovery, JWKS).</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<Uri> _requests = new();

    public int Count => _requests.Count;

    /// <summary>Every URI requested, in order.</summary>
    public IReadOnlyCollection<Uri> Requests => _requests;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }
}
