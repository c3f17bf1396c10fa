using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddDPoPClientCredentialsToken()</c> registers for a client: its tokens come from a
/// <see cref="DPoPTokenEngine"/> (cached until shortly before they expire, one renewal however many callers need it,
/// renewed in the background inside the renewal window with back-off on failure, shared through HybridCache when the
/// app has one, dropped when a resource server rejects them).
/// </summary>
/// <remarks>
/// Without a token partition (<c>AddDPoPTokenPartition()</c>) the client has one entry, held in a field: the hot path
/// is that entry's field read and clock check. With one, the customizer runs for each API request and the entry of the
/// values it set serves the request (the default entry when it set none). Through <see cref="IDPoPClientAccessTokenCache"/>,
/// code outside the HttpClient gets, renews or drops the default partition's token, with the key it is bound to.
/// </remarks>
internal sealed class ClientCredentialsTokenProvider : IDPoPAccessTokenProvider, IDPoPClientAccessTokenCache
{
    private readonly Func<Func<DPoPTokenRequestContext, CancellationToken, ValueTask>?, DPoPTokenClient> _createClient;
    private readonly Func<CancellationToken, ValueTask<DPoPKey>> _keySource;
    private readonly DPoPTokenEngine _engine;
    private readonly DPoPTokenEntry _default;
    private readonly Action<DPoPTokenPartition>? _partition;

    /// <param name="clientName">The API client's name, in logs and tags.</param>
    /// <param name="createClient">A token client for one renewal, given the token request hook of a partition (null: the client's own hook).</param>
    /// <param name="keySource">The key the client's token requests are signed with.</param>
    /// <param name="options">The client's token options (and its partition customizer, if any).</param>
    /// <param name="timeProvider">The clock for expiry and renewal.</param>
    /// <param name="logger">Where renewals are logged (category <c>DPoP.Http.ClientCredentialsTokenProvider</c>).</param>
    /// <param name="sharedCache">The app's HybridCache tier, if any.</param>
    /// <param name="telemetry">Spans and metrics; a process-wide meter when null.</param>
    public ClientCredentialsTokenProvider(
        string clientName,
        Func<Func<DPoPTokenRequestContext, CancellationToken, ValueTask>?, DPoPTokenClient> createClient,
        Func<CancellationToken, ValueTask<DPoPKey>> keySource,
        DPoPTokenClientOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        DPoPSharedTokenCache? sharedCache = null,
        DPoPTokenTelemetry? telemetry = null)
    {
        _createClient = createClient;
        _keySource = keySource;
        _partition = options.Partition;
        _engine = new DPoPTokenEngine(
            clientName, "client_credentials", options.TokenEndpoint!, options, timeProvider, logger,
            telemetry ?? DPoPTokenTelemetry.Create(clientName, options.ClientId, null, null), sharedCache);
        _default = NewEntry(null);
    }

    /// <summary>Whether tokens are shared through the app's HybridCache.</summary>
    internal bool UsesSharedCache => _default.UsesSharedCache;

    /// <summary>
    /// Completes (never faults) when the renewals in flight, if any, have stored their token or their failure. A test
    /// hook: a background renewal has no public completion signal, and waiting on one deterministically beats polling.
    /// </summary>
    internal Task WhenRenewalSettled => Task.WhenAll(_default.WhenRenewalSettled, _engine.WhenRenewalsSettled);

    public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The hot path, as one call down: the entry's field read and clock check.
        var entry = _partition is null ? _default : Entry(request);
        return entry.Cached() is { } token ? new ValueTask<string?>(DPoPTokenBinding.Use(token.Response, request)) : entry.WaitForTokenAsync(request, cancellationToken);
    }

    // IDPoPClientAccessTokens: the default partition's token.
    ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.GetAccessTokenAsync(CancellationToken cancellationToken) => _default.GetAccessTokenAsync(cancellationToken);

    ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.RenewAccessTokenAsync(CancellationToken cancellationToken) => _default.RenewAccessTokenAsync(cancellationToken);

    ValueTask IDPoPClientAccessTokenCache.RemoveAccessTokenAsync(CancellationToken cancellationToken) => _default.RemoveAccessTokenAsync(cancellationToken);

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        if (!_default.OnRejected(rejectedAccessToken))
        {
            _engine.OnRejected(rejectedAccessToken);
        }

        return ValueTask.FromResult(true);
    }

    /// <summary>The entry of the partition the customizer sets for <paramref name="request"/>.</summary>
    private DPoPTokenEntry Entry(HttpRequestMessage request)
    {
        var partition = new DPoPTokenPartition(request);
        _partition!(partition);
        return DPoPTokenPartitionValues.From(partition, _engine.ClientName) is { } values
            ? _engine.GetOrAdd(values.Key, static s => s.Provider.NewEntry(s.Values), (Provider: this, Values: values))
            : _default;
    }

    private DPoPTokenEntry NewEntry(DPoPTokenPartitionValues? values)
    {
        var options = _engine.Options;
        Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? hook = values is null ? null : (context, cancellationToken) =>
        {
            values.ApplyTo(context);
            return options.OnTokenRequest?.Invoke(context, cancellationToken) ?? ValueTask.CompletedTask;
        };

        // A client per renewal: IHttpClientFactory's handler rotation (DNS changes) applies to the token endpoint too.
        return new DPoPTokenEntry(
            _engine,
            _keySource,
            _ => _createClient(hook).RequestClientCredentialsTokenAsync(CancellationToken.None),
            thumbprint => DPoPTokenCacheKey.ClientCredentials(options, thumbprint, values));
    }
}
