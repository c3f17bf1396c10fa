using System.Collections.Concurrent;

namespace DPoP.Http.InteropTests.Support;

/// <summary>The exchanges one HttpClient made, in order; filled by <see cref="RecordingHandler"/>.</summary>
internal sealed class ExchangeRecorder
{
    private readonly ConcurrentQueue<Exchange> _exchanges = new();

    public IReadOnlyList<Exchange> All => [.. _exchanges];

    public void Add(Exchange exchange) => _exchanges.Enqueue(exchange);

    public void Clear() => _exchanges.Clear();

    public override string ToString() => string.Join("; ", _exchanges);
}
