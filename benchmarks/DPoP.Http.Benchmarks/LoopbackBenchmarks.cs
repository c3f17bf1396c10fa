using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// Real round trips to Kestrel on 127.0.0.1 (an ephemeral port, no other interface), one at a time and 64 at once,
/// with and without <c>AddDPoP()</c>: what the proof costs against a whole HTTP exchange. Server and client share
/// this machine's cores, as they would in an integration test, not in production.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoopbackBenchmarks
{
    private const int Concurrency = 64;

    private WebApplication _server = null!;
    private ServiceProvider _services = null!;
    private HttpClient _plain = null!;
    private HttpClient _dpop = null!;
    private HttpClient _dpopNullSigner = null!;
    private Uri _uri = null!;
    private readonly Task<HttpResponseMessage>[] _pending = new Task<HttpResponseMessage>[Concurrency];

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackKestrel.Listen(builder);
        _server = builder.Build();
        _server.MapGet("/v1/resources/42", () => Results.Text("ok"));
        _server.StartAsync().GetAwaiter().GetResult();
        _uri = new Uri(LoopbackKestrel.BaseAddressesOf(_server)[0], "/v1/resources/42?expand=all");

        // No proxy: the requests must go to 127.0.0.1 and nowhere else, whatever the environment says.
        var services = new ServiceCollection();
        services.AddHttpClient("plain").SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false });
        services.AddHttpClient("dpop").SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false })
            .AddDPoP();
        services.AddHttpClient("dpop-null-signer").SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false })
            .AddDPoPKeyProvider<NullSignerKeyProvider>()
            .AddDPoP();
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _plain = factory.CreateClient("plain");
        _dpop = factory.CreateClient("dpop");
        _dpopNullSigner = factory.CreateClient("dpop-null-signer");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _server.StopAsync().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "No DPoP")]
    [BenchmarkCategory("1 at a time")]
    public Task NoDPoP_1() => SendOne(_plain);

    [Benchmark(Description = "AddDPoP()")]
    [BenchmarkCategory("1 at a time")]
    public Task DPoP_1() => SendOne(_dpop);

    /// <summary>The handler and its proof without the signature: what is left is the signature's share.</summary>
    [Benchmark(Description = "AddDPoP(), null signer")]
    [BenchmarkCategory("1 at a time")]
    public Task DPoPNullSigner_1() => SendOne(_dpopNullSigner);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency, Description = "No DPoP")]
    [BenchmarkCategory("64 at once")]
    public Task NoDPoP_64() => SendMany(_plain);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "AddDPoP()")]
    [BenchmarkCategory("64 at once")]
    public Task DPoP_64() => SendMany(_dpop);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "AddDPoP(), null signer")]
    [BenchmarkCategory("64 at once")]
    public Task DPoPNullSigner_64() => SendMany(_dpopNullSigner);

    /// <summary>
    /// 64 callers on pool threads, as 64 concurrent requests of a server app are. Started from one thread (above),
    /// the 64 proofs are signed one after another on that thread: a DelegatingHandler runs synchronously until its
    /// first await, and the proof comes before it.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency, Description = "No DPoP")]
    [BenchmarkCategory("64 at once, from pool threads")]
    public Task NoDPoP_64_PoolThreads() => SendManyFromPool(_plain);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "AddDPoP()")]
    [BenchmarkCategory("64 at once, from pool threads")]
    public Task DPoP_64_PoolThreads() => SendManyFromPool(_dpop);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "AddDPoP(), null signer")]
    [BenchmarkCategory("64 at once, from pool threads")]
    public Task DPoPNullSigner_64_PoolThreads() => SendManyFromPool(_dpopNullSigner);

    private async Task SendOne(HttpClient client)
    {
        using var response = await client.GetAsync(_uri).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private async Task SendManyFromPool(HttpClient client)
    {
        for (var i = 0; i < _pending.Length; i++)
        {
            _pending[i] = Task.Run(() => client.GetAsync(_uri));
        }

        foreach (var pending in _pending)
        {
            using var response = await pending.ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task SendMany(HttpClient client)
    {
        for (var i = 0; i < _pending.Length; i++)
        {
            _pending[i] = client.GetAsync(_uri);
        }

        foreach (var pending in _pending)
        {
            using var response = await pending.ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
    }
}
