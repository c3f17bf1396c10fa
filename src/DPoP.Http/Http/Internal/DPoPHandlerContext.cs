using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>Everything one client's handler needs, resolved once when IHttpClientFactory builds the handler.</summary>
/// <remarks>
/// For the token endpoint client of an OpenID Connect scheme (DPoP.Http.AspNetCore), <c>scheme</c> names the scheme
/// and <c>clientName</c> is the scheme's name in logs: its requests are signed with the key each one carries
/// (<see cref="DPoPRequestKey"/>), not <c>getKey</c>'s, and its telemetry is tagged <c>dpop.scheme</c> instead of
/// <c>dpop.client</c> (it is no API client).
/// </remarks>
internal sealed class DPoPHandlerContext(
    string clientName,
    DPoPHandlerOptions options,
    Func<CancellationToken, ValueTask<DPoPKey>> getKey,
    IDPoPNonceStore nonceStore,
    IDPoPAccessTokenProvider? accessTokenProvider,
    DPoPAthCache athCache,
    TimeProvider timeProvider,
    ILogger logger,
    DPoPMetrics metrics,
    string? scheme = null)
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

    /// <summary>The OpenID Connect scheme of a scheme's token endpoint client, whose requests carry their key; else null.</summary>
    public string? Scheme { get; } = scheme;

    /// <summary>Whether each request carries its key (<see cref="DPoPRequestKey"/>): a scheme's token endpoint client.</summary>
    public bool KeyPerRequest { get; } = scheme is not null;

    /// <summary>The <c>dpop.client</c> tag of spans: none for a scheme's token endpoint client.</summary>
    public string? SpanClientName { get; } = scheme is null ? clientName : null;

    /// <summary>The <c>dpop.client</c> tag of every measurement (<c>dpop.scheme</c> for a scheme's token endpoint client).</summary>
    public KeyValuePair<string, object?> ClientTag { get; } = scheme is null ? new(DPoPTelemetryNames.Client, clientName) : new(DPoPTelemetryNames.Scheme, scheme);

    /// <summary>The context of a handler built without DI (see the public <see cref="DPoPDelegatingHandler"/> constructor).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> breaks a rule (the message names the property).</exception>
    public static DPoPHandlerContext Standalone(
        DPoPKey key, DPoPHandlerOptions? options, IDPoPNonceStore? nonceStore, IDPoPAccessTokenProvider? accessTokenProvider, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new DPoPHandlerOptions();
        var problems = GeneratedOptionsRules.Problems(new DPoPHandlerOptionsAttributes().Validate(null, options)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The DPoP handler options are not usable: {string.Join(" ", problems)}", nameof(options));
        }

        timeProvider ??= TimeProvider.System;
        return new DPoPHandlerContext(
            clientName: string.Empty,
            options,
            _ => ValueTask.FromResult(key),
            nonceStore ?? new DPoPNonceStore(timeProvider: timeProvider),
            accessTokenProvider,
            new DPoPAthCache(),
            timeProvider,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            DPoPMetrics.Create(meterFactory: null));
    }
}
