using System.Collections.Concurrent;

namespace DPoP.Http.Tests.Support;

/// <summary>A request as it left the DPoP handler: copied when sent, since the handler rewrites the message for a redirect hop.</summary>
internal sealed record SentRequest(HttpMethod Method, Uri Uri, string? Proof, string? Authorization);

/// <summary>
/// An in-memory terminal handler, synchronous and asynchronous, that answers the n-th request (from 1) with what the
/// test scripts and records every request: the cheapest server for running thousands of answers through the handler.
/// </summary>
internal sealed class ScriptedHandler(Func<int, HttpResponseMessage> answer) : HttpMessageHandler
{
    private int _count;

    public ConcurrentQueue<SentRequest> Sent { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var proof = request.Headers.TryGetValues("DPoP", out var values) ? string.Join(",", values) : null;
        Sent.Enqueue(new SentRequest(request.Method, request.RequestUri!, proof, request.Headers.Authorization?.ToString()));
        return answer(Interlocked.Increment(ref _count));
    }
}
