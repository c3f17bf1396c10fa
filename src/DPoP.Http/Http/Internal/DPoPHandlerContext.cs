using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>Everything one client's handler needs, resolved once when IHttpClientFactory builds the handler.</summary>
internal sealed class DPoPHandlerContext(
    string clientName,
    DPoPHandlerOptions options,
    Func<CancellationToken, ValueTask<DPoPKey>> getKey,
    IDPoPNonceStore nonceStore,
    IDPoPAccessTokenProvider? accessTokenProvider,
    DPoPAthCache athCache,
    TimeProvider timeProvider,
    ILogger logger,
    DPoPMetrics metrics)
{
    public string ClientName { get; } = clientName;

    public DPoPHandlerOptions Options { get; } = options;

    public Func<CancellationToken, ValueTask<DPoPKey>> GetKey { get; } = getKey;

    public IDPoPNonceStore NonceStore { get; } = nonceStore;

    public IDPoPAccessTokenProvider? AccessTokenProvider { get; } = accessTokenProvider;

    public DPoPAthCache AthCache { get; } = athCache;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger Logger { get; } = logger;

    public DPoPMetrics Metrics { get; } = metrics;

    /// <summary>The <c>dpop.client</c> tag of every measurement.</summary>
    public KeyValuePair<string, object?> ClientTag { get; } = new(DPoPTelemetryNames.Client, clientName);
}
