using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// One app instance's token requests and shared-cache hits, read from its public metrics (<c>dpop.token.requests</c>,
/// <c>dpop.token.cache.lookups</c> on the <c>DPoP.Http</c> meter of the instance's own meter factory). Create it
/// before the instance's first token request.
/// </summary>
internal sealed class TokenCounts : IDisposable
{
    private readonly MetricCollector<long> _requests;
    private readonly MetricCollector<long> _lookups;

    public TokenCounts(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        _requests = new MetricCollector<long>(meters, "DPoP.Http", "dpop.token.requests");
        _lookups = new MetricCollector<long>(meters, "DPoP.Http", "dpop.token.cache.lookups");
    }

    /// <summary>Token requests sent to the token endpoint, successful or not.</summary>
    public long TokenRequests => _requests.GetMeasurementSnapshot().Sum(m => m.Value);

    /// <summary>Renewals that took their token from the shared tier instead of the token endpoint.</summary>
    public long SharedCacheHits => _lookups.GetMeasurementSnapshot()
        .Where(m => Equals(m.Tags["dpop.cache.tier"], "shared") && Equals(m.Tags["dpop.cache.result"], "hit"))
        .Sum(m => m.Value);

    public void Dispose()
    {
        _requests.Dispose();
        _lookups.Dispose();
    }
}
