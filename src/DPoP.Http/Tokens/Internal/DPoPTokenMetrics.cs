using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace DPoP.Http.Internal;

/// <summary>
/// The token instruments of the <c>DPoP.Http</c> meter: token requests by grant and outcome, how long they take, and
/// token cache lookups. Tags: <c>dpop.client</c>, <c>dpop.grant_type</c>, <c>dpop.outcome</c> (<c>success</c> or
/// <c>failure</c>), <c>error.type</c> on failures, <c>dpop.cache.tier</c> and <c>dpop.cache.result</c> on lookups.
/// </summary>
internal sealed class DPoPTokenMetrics
{
    // OpenTelemetry's HTTP client duration buckets, in seconds: token requests are HTTP requests.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private static readonly Lazy<DPoPTokenMetrics> SharedInstance = new(() => new DPoPTokenMetrics(new Meter(DPoPTelemetryNames.Meter)));

    // One set of instruments per meter factory (a token client is created per renewal in DI registrations).
    private static readonly ConditionalWeakTable<IMeterFactory, DPoPTokenMetrics> PerFactory = [];

    private DPoPTokenMetrics(Meter meter)
    {
        TokenRequests = meter.CreateCounter<long>(
            DPoPTelemetryNames.TokenRequests, "{request}", "Token requests sent to token endpoints, by grant type and outcome (error.type on failures).");
        TokenRequestDuration = meter.CreateHistogram(
            DPoPTelemetryNames.TokenRequestDuration, "s", "How long token requests took, nonce resends included, by grant type and outcome.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        CacheLookups = meter.CreateCounter<long>(
            DPoPTelemetryNames.TokenCacheLookups, "{lookup}", "Access token cache lookups (dpop.cache.tier: memory or shared; dpop.cache.result: hit or miss).");
    }

    /// <summary>Instruments on a meter from <paramref name="meterFactory"/>, or on one shared meter when there is none (no DI).</summary>
    public static DPoPTokenMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? SharedInstance.Value : PerFactory.GetValue(meterFactory, static f => new DPoPTokenMetrics(f.Create(DPoPTelemetryNames.Meter)));

    public Counter<long> TokenRequests { get; }

    public Histogram<double> TokenRequestDuration { get; }

    public Counter<long> CacheLookups { get; }
}
