using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// What telemetry costs the token lookup every request makes (a cached client-credentials token): nothing listening,
/// against an app whose OpenTelemetry listens to the <c>DPoP.Http</c> meter and samples every <c>DPoP.Http</c> span
/// (each lookup then records a cache hit and a <c>dpop.token.acquire</c> span).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TokenLookupTracingBenchmarks
{
    private readonly HttpRequestMessage _request = new(HttpMethod.Get, "https://api.example.com/orders");
    private ServiceProvider _services = null!;
    private IDPoPAccessTokenProvider _provider = null!;
    private MeterListener? _meterListener;
    private ActivityListener? _activityListener;

    /// <summary>Whether a meter listener and a sampling activity listener are on.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_services, _provider) = TokenLookupBenchmarks.Build(hybridCache: false);
        _ = _provider.GetAccessTokenAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (!Listening)
        {
            return;
        }

        _meterListener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "DPoP.Http")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _meterListener.Start();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "DPoP.Http",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activityListener);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meterListener?.Dispose();
        _activityListener?.Dispose();
        _services.Dispose();
        _request.Dispose();
    }

    [Benchmark(Description = "cached token lookup")]
    public ValueTask<string?> Lookup() => _provider.GetAccessTokenAsync(_request, CancellationToken.None);
}
