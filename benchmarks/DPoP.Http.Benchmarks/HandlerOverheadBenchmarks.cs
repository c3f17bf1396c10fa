using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// What the handler costs beyond the proof it makes. HttpClients from IHttpClientFactory with the same pipeline over
/// an in-memory terminal handler: no DPoP (the floor of the pipeline), a proof made by hand with
/// <see cref="DPoPProof.Create(DPoPKey, HttpMethod, Uri, string?, string?)"/> and set as a header (what an app
/// without the handler would do), and <c>AddDPoP()</c>. The handler's own cost is <c>Handler − ManualProof</c>.
/// </summary>
/// <remarks>
/// With a real ES256 key the difference hides in the signature's noise on a busy machine (a few µs of 25–40), so
/// every pair also runs with a null-signature key (<see cref="NullSignatureECDsa"/>): the same handler, the same
/// proof bytes but for the signature, where the difference is measured to tens of nanoseconds.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class HandlerOverheadBenchmarks
{
    private static readonly Uri RequestUri = new("https://api.example.com/v1/resources/42?expand=all");

    private ServiceProvider _services = null!;
    private HttpClient _plain = null!;
    private HttpClient _dpop = null!;
    private HttpClient _dpopNullSigner = null!;
    private DPoPKey _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("plain")
            .ConfigurePrimaryHttpMessageHandler(() => new TerminalHandler())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        // The default key source: a generated ES256 key per client.
        services.AddHttpClient("dpop")
            .ConfigurePrimaryHttpMessageHandler(() => new TerminalHandler())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddDPoP();
        services.AddHttpClient("dpop-null-signer")
            .ConfigurePrimaryHttpMessageHandler(() => new TerminalHandler())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddDPoPKeyProvider<NullSignerKeyProvider>()
            .AddDPoP();
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _plain = factory.CreateClient("plain");
        _dpop = factory.CreateClient("dpop");
        _dpopNullSigner = factory.CreateClient("dpop-null-signer");

        // The same algorithm as the handler's generated key (ES256), so the two sign at the same cost.
        _key = DPoPKey.Generate(DPoPAlgorithms.ES256);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "No DPoP")]
    public Task<HttpResponseMessage> NoDPoP() => _plain.SendAsync(new HttpRequestMessage(HttpMethod.Get, RequestUri));

    [Benchmark]
    public Task<HttpResponseMessage> ManualProof() => SendWithManualProof(_key, accessToken: null);

    [Benchmark]
    public Task<HttpResponseMessage> Handler() => _dpop.SendAsync(new HttpRequestMessage(HttpMethod.Get, RequestUri));

    /// <summary>By hand with a bound token: the ath is hashed for every request.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> ManualProof_Token() => SendWithManualProof(_key, BenchmarkData.AccessToken);

    /// <summary>The handler with a bound token: the ath cache hashes the token once, not per request.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> Handler_Token() =>
        _dpop.SendAsync(new HttpRequestMessage(HttpMethod.Get, RequestUri).SetDPoPAccessToken(BenchmarkData.AccessToken));

    [Benchmark]
    public Task<HttpResponseMessage> ManualProof_NullSigner() => SendWithManualProof(NullSignerKeyProvider.Key, accessToken: null);

    [Benchmark]
    public Task<HttpResponseMessage> Handler_NullSigner() => _dpopNullSigner.SendAsync(new HttpRequestMessage(HttpMethod.Get, RequestUri));

    [Benchmark]
    public Task<HttpResponseMessage> ManualProof_Token_NullSigner() => SendWithManualProof(NullSignerKeyProvider.Key, BenchmarkData.AccessToken);

    [Benchmark]
    public Task<HttpResponseMessage> Handler_Token_NullSigner() =>
        _dpopNullSigner.SendAsync(new HttpRequestMessage(HttpMethod.Get, RequestUri).SetDPoPAccessToken(BenchmarkData.AccessToken));

    private Task<HttpResponseMessage> SendWithManualProof(DPoPKey key, string? accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
        request.Headers.TryAddWithoutValidation(DPoPHeaders.DPoP, DPoPProof.Create(key, HttpMethod.Get, RequestUri, accessToken));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(DPoPHeaders.AuthorizationScheme, accessToken);
        }

        return _plain.SendAsync(request);
    }
}
