using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// <see cref="DPoPNonceStore"/>: a read and a write per request on one thread, the same under contention from every
/// core, and a stream of origins larger than the store so that eviction runs. The baseline is the bare dictionary
/// lookup the store is built on, keyed the same way (scheme, host, port).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class NonceStoreBenchmarks
{
    private const int OperationsPerWorker = 20_000;
    private const int Capacity = 1000;
    private const int DistinctOrigins = 10_000;

    private static readonly Uri RequestUri = new("https://api.example.com/v1/resources/42?expand=all");

    private readonly int _workers = Environment.ProcessorCount;
    private readonly ConcurrentDictionary<(string Scheme, string Host, int Port), string> _dictionary = new();
    private DPoPNonceStore _store = null!;
    private DPoPNonceStore _storeWithLifetime = null!;
    private DPoPNonceStore _boundedStore = null!;
    private Uri[] _origins = null!;
    private string[] _nonces = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _dictionary[(RequestUri.Scheme, RequestUri.IdnHost, RequestUri.Port)] = BenchmarkData.Nonce;
        _store = new DPoPNonceStore();
        _store.SetNonce(RequestUri, BenchmarkData.Nonce);
        _storeWithLifetime = new DPoPNonceStore(lifetime: TimeSpan.FromMinutes(5));
        _storeWithLifetime.SetNonce(RequestUri, BenchmarkData.Nonce);
        _nonces = [BenchmarkData.Nonce, BenchmarkData.Nonce + "-2"];

        _boundedStore = new DPoPNonceStore(Capacity);
        _origins = new Uri[DistinctOrigins];
        for (var i = 0; i < _origins.Length; i++)
        {
            _origins[i] = new Uri($"https://host{i}.example.com/v1/resources/42");
        }
    }

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary lookup")]
    public string? DictionaryLookup() =>
        _dictionary.TryGetValue((RequestUri.Scheme, RequestUri.IdnHost, RequestUri.Port), out var nonce) ? nonce : null;

    [Benchmark]
    public string? GetNonce() => _store.GetNonce(RequestUri);

    /// <summary>The usual response: the server repeats the nonce it gave before.</summary>
    [Benchmark]
    public void SetNonce_Same() => _store.SetNonce(RequestUri, BenchmarkData.Nonce);

    /// <summary>
    /// The usual response to a store with a <c>NonceLifetime</c>: the repeat restarts the nonce's lifetime, with a
    /// write at most once per sixteenth of it, so this costs what <see cref="SetNonce_Same"/> costs.
    /// </summary>
    [Benchmark]
    public void SetNonce_Same_WithLifetime() => _storeWithLifetime.SetNonce(RequestUri, BenchmarkData.Nonce);

    /// <summary>A server that rotates its nonce on every response.</summary>
    [Benchmark]
    public void SetNonce_Rotating() => _store.SetNonce(RequestUri, _nonces[_next++ & 1]);

    /// <summary>A request's read and write on one thread, the reference for the contended case.</summary>
    [Benchmark(OperationsPerInvoke = OperationsPerWorker)]
    public void GetSetNonce_OneThread() => GetSetLoop(worker: 0);

    /// <summary>
    /// Every core runs the loop of <see cref="GetSetNonce_OneThread"/> on the same origin at once, as concurrent
    /// requests to one API do; time per loop step, so a store that scales perfectly matches the one-thread figure.
    /// </summary>
    [Benchmark(OperationsPerInvoke = OperationsPerWorker)]
    public void GetSetNonce_AllCores() =>
        Parallel.For(0, _workers, new ParallelOptions { MaxDegreeOfParallelism = _workers }, GetSetLoop);

    /// <summary>10,000 origins through a store of 1,000: most writes add an origin and some evict the oldest.</summary>
    [Benchmark(OperationsPerInvoke = DistinctOrigins)]
    public void SetNonce_ManyOrigins_Evicting()
    {
        foreach (var origin in _origins)
        {
            _boundedStore.GetNonce(origin);
            _boundedStore.SetNonce(origin, BenchmarkData.Nonce);
        }
    }

    private void GetSetLoop(int worker)
    {
        for (var i = 0; i < OperationsPerWorker; i++)
        {
            var nonce = _store.GetNonce(RequestUri)!;

            // One response in 256 brings a new nonce; the others repeat it.
            _store.SetNonce(RequestUri, (i & 0xFF) == 0 ? _nonces[(worker + i) & 1] : nonce);
        }
    }
}
