namespace IdentityHost.SampleResourceApi.IntegrationTests;

/// <summary>Sends each request to whichever server is current, so a test can swap the server under the API.</summary>
public sealed class SwitchableHandler(HttpMessageHandler initial) : HttpMessageHandler
{
    private HttpMessageInvoker _current = new(initial, disposeHandler: false);

    public void SwitchTo(HttpMessageHandler handler) => _current = new HttpMessageInvoker(handler, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _current.SendAsync(request, cancellationToken);
}
