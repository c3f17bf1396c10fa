using System.Diagnostics.Metrics;

namespace DPoP.Http.Internal;

/// <summary>
/// The instruments of the <c>DPoP.Http</c> meter. Every measurement is tagged <c>dpop.client</c> with the
/// HttpClient's name; none carries a token, nonce, proof or key.
/// </summary>
internal sealed class DPoPMetrics
{
    private static readonly Lazy<DPoPMetrics> SharedInstance = new(() => new DPoPMetrics(new Meter(DPoPTelemetryNames.Meter)));

    private DPoPMetrics(Meter meter)
    {
        ProofsCreated = meter.CreateCounter<long>(DPoPTelemetryNames.ProofsCreated, "{proof}", "DPoP proofs created, one per request sent, retries and redirects included.");
        NonceChallenges = meter.CreateCounter<long>(DPoPTelemetryNames.NonceChallenges, "{challenge}", "use_dpop_nonce answers received (tag dpop.challenge.source: authorization_server or resource_server).");
        Retries = meter.CreateCounter<long>(DPoPTelemetryNames.Retries, "{retry}", "Requests resent with a new proof after a nonce challenge.");
        RetriesRefused = meter.CreateCounter<long>(DPoPTelemetryNames.RetriesRefused, "{challenge}", "Nonce challenges returned to the caller because the request body could not be sent again.");
        Redirects = meter.CreateCounter<long>(DPoPTelemetryNames.Redirects, "{redirect}", "Redirects followed by the DPoP handler, each with a new proof.");
        InvalidNonces = meter.CreateCounter<long>(DPoPTelemetryNames.NoncesRejected, "{nonce}", "DPoP-Nonce response headers ignored because they were not valid NQCHAR nonces.");
    }

    /// <summary>Metrics on a meter from <paramref name="meterFactory"/>, or on one shared meter when there is no factory (no DI).</summary>
    public static DPoPMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? SharedInstance.Value : new DPoPMetrics(meterFactory.Create(DPoPTelemetryNames.Meter));

    public Counter<long> ProofsCreated { get; }

    public Counter<long> NonceChallenges { get; }

    public Counter<long> Retries { get; }

    public Counter<long> RetriesRefused { get; }

    public Counter<long> Redirects { get; }

    public Counter<long> InvalidNonces { get; }
}
