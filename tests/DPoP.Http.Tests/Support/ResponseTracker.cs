using System.Collections.Concurrent;
using System.Net;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// Records every response the inner pipeline hands to the DPoP handler, so that a test can prove the handler
/// disposed each one it did not pass on to the caller. Register <see cref="CreateHandler"/> after <c>AddDPoP()</c>
/// (that puts it inside the DPoP handler). Each response is re-wrapped in a <see cref="TrackedResponse"/> whose
/// content is a <see cref="TrackedContent"/>, both of which remember their disposal.
/// </summary>
internal sealed class ResponseTracker
{
    private readonly ConcurrentQueue<TrackedResponse> _responses = new();

    public IReadOnlyList<TrackedResponse> Responses => [.. _responses];

    public DelegatingHandler CreateHandler() => new TrackingHandler(this);

    /// <summary>The responses (and their original contents) not disposed, other than those in <paramref name="handedOut"/>.</summary>
    public IReadOnlyList<string> Undisposed(params HttpResponseMessage?[] handedOut)
    {
        var leaks = new List<string>();
        var i = 0;
        foreach (var response in _responses)
        {
            i++;
            if (handedOut.Any(r => ReferenceEquals(r, response)))
            {
                continue;
            }

            if (!response.Disposed)
            {
                leaks.Add($"response #{i} ({(int)response.StatusCode}) not disposed");
            }

            if (!response.OriginalContent.Disposed)
            {
                leaks.Add($"content of response #{i} ({(int)response.StatusCode}) not disposed");
            }
        }

        return leaks;
    }

    private sealed class TrackingHandler(ResponseTracker tracker) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Track(await base.SendAsync(request, cancellationToken));

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Track(base.Send(request, cancellationToken));

        private TrackedResponse Track(HttpResponseMessage inner)
        {
            var content = new TrackedContent(inner.Content);
            var response = new TrackedResponse(inner.StatusCode, content)
            {
                ReasonPhrase = inner.ReasonPhrase,
                Version = inner.Version,
                RequestMessage = inner.RequestMessage,
            };
            foreach (var header in inner.Headers.NonValidated)
            {
                response.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            // The inner message now owns nothing: its content moved to the tracked one.
            inner.Content = new ByteArrayContent([]);
            inner.Dispose();
            tracker._responses.Enqueue(response);
            return response;
        }
    }
}

internal sealed class TrackedResponse : HttpResponseMessage
{
    public TrackedResponse(HttpStatusCode status, TrackedContent content)
        : base(status)
    {
        OriginalContent = content;
        Content = content;
    }

    public TrackedContent OriginalContent { get; }

    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>Serves an inner content unchanged (headers, stream, bytes) and remembers being disposed.</summary>
internal sealed class TrackedContent : HttpContent
{
    private readonly HttpContent _inner;

    public TrackedContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public bool Disposed { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _inner.CopyToAsync(stream, cancellationToken);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _inner.CopyTo(stream, context, cancellationToken);

    protected override Task<Stream> CreateContentReadStreamAsync() => _inner.ReadAsStreamAsync();

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => _inner.ReadAsStreamAsync(cancellationToken);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => _inner.ReadAsStream(cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        var known = _inner.Headers.ContentLength;
        length = known ?? 0;
        return known.HasValue;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposed = true;
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
