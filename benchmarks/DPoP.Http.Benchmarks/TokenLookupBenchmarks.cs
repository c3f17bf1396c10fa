using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// The token lookup every request makes (<c>IDPoPAccessTokenProvider.GetAccessTokenAsync</c>) with a valid token in
/// hand: the in-process cache as before (baseline), the same client when the app registers a HybridCache (tokens
/// shared through it), and — for scale — what a HybridCache L1 hit would cost if the lookup went through HybridCache on
/// every request instead of only when the local token is missing or due.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TokenLookupBenchmarks
{
    private const string TokenJson = "{\"access_token\":\"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvcmRlcnMtd29ya2VyIn0.c2ln\",\"token_type\":\"DPoP\",\"expires_in\":3600}";

    private readonly HttpRequestMessage _request = new(HttpMethod.Get, "https://api.example.com/orders");
    private ServiceProvider _inProcess = null!;
    private ServiceProvider _withHybridCache = null!;
    private IDPoPAccessTokenProvider _inProcessProvider = null!;
    private IDPoPAccessTokenProvider _hybridProvider = null!;
    private HybridCache _hybridCache = null!;
    private string _hybridKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_inProcess, _inProcessProvider) = Build(hybridCache: false);
        (_withHybridCache, _hybridProvider) = Build(hybridCache: true);
        if (!((ClientCredentialsTokenProvider)_hybridProvider).UsesSharedCache || ((ClientCredentialsTokenProvider)_inProcessProvider).UsesSharedCache)
        {
            throw new InvalidOperationException("The benchmark's providers are not set up as described.");
        }

        // Warm both: one token request each (the HybridCache one also stores its token there).
        _ = _inProcessProvider.GetAccessTokenAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _ = _hybridProvider.GetAccessTokenAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        _hybridCache = _withHybridCache.GetRequiredService<HybridCache>();
        _hybridKey = "dpop:token:v1:cc:benchmark";
        _hybridCache.SetAsync(_hybridKey, TokenJson, new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1), LocalCacheExpiration = TimeSpan.FromHours(1) }).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inProcess.Dispose();
        _withHybridCache.Dispose();
        _request.Dispose();
    }

    [Benchmark(Baseline = true, Description = "in-process cache (no HybridCache)")]
    public ValueTask<string?> InProcess() => _inProcessProvider.GetAccessTokenAsync(_request, CancellationToken.None);

    [Benchmark(Description = "HybridCache registered (L1 hit: local token)")]
    public ValueTask<string?> HybridCacheRegistered() => _hybridProvider.GetAccessTokenAsync(_request, CancellationToken.None);

    [Benchmark(Description = "HybridCache.GetOrCreateAsync L1 hit (not used per request)")]
    public ValueTask<string> HybridCacheOnEveryRequest() =>
        _hybridCache.GetOrCreateAsync(_hybridKey, static _ => ValueTask.FromResult(TokenJson));

    internal static (ServiceProvider Services, IDPoPAccessTokenProvider Provider) Build(bool hybridCache)
    {
        var services = new ServiceCollection();
        if (hybridCache)
        {
            services.AddHybridCache(); // L1 only here: an L1 hit never reaches L2, so Redis would change nothing measured
        }

        services.AddHttpClient(DPoPClientRegistry.TokenClientName("api")).ConfigurePrimaryHttpMessageHandler(() => new TokenEndpointStub());
        services.AddHttpClient("api").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri("https://login.example.com/token");
            o.ClientId = "orders-worker";
            o.ClientSecret = "secret";
        });
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredKeyedService<IDPoPAccessTokenProvider>("api"));
    }

    private sealed class TokenEndpointStub : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(TokenJson, Encoding.UTF8, "application/json") });
    }
}
