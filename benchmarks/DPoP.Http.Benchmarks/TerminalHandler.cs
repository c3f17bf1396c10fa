using System.Net;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// The end of the pipeline, without I/O: answers every request with one cached 200 response, so what a benchmark
/// measures is the pipeline above it. The response has no DPoP-Nonce, like most resource server answers.
/// </summary>
internal sealed class TerminalHandler : HttpMessageHandler
{
    private readonly HttpResponseMessage _response = new(HttpStatusCode.OK);

    private readonly Task<HttpResponseMessage> _completed;

    public TerminalHandler() => _completed = Task.FromResult(_response);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _completed;

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => _response;
}
