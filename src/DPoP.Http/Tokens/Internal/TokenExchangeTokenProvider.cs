namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddDPoPTokenExchange()</c> registers for a client: for each request, the subject
/// token its delegate finds (typically the caller's token) is exchanged (RFC 8693) for a DPoP-bound token for the
/// downstream API. Tokens come from a <see cref="DPoPTokenEngine"/>, one entry per subject token and DPoP key (and
/// token partition), keyed by a SHA-256 over what the exchange asks for — the subject token by its own SHA-256, never
/// the token itself — and the key's thumbprint: cached until shortly before they expire and renewed in the background
/// inside the renewal window, one exchange per entry however many callers need it (it goes on when the caller that
/// started it gives up, and a failed one is never served to a later caller), shared with other instances through
/// HybridCache when the app has one, dropped when a resource server rejects them; a bounded number of entries, evicted
/// without dropping an exchange in flight.
/// </summary>
internal sealed class TokenExchangeTokenProvider(
    Func<DPoPTokenClient> createClient,
    Func<CancellationToken, ValueTask<DPoPKey>> keySource,
    Func<HttpRequestMessage, CancellationToken, ValueTask<string?>> subjectTokenSource,
    Action<DPoPTokenExchangeRequest>? configureRequest,
    DPoPTokenEngine engine) : IDPoPAccessTokenProvider
{
    /// <summary>The grant type of token exchange (RFC 8693 §2.1).</summary>
    internal const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    private readonly Action<DPoPTokenPartition>? _partition = engine.Options.Partition;

    /// <summary>
    /// How many entries (subject tokens and partitions) the provider holds. A test hook: evictions under the entry
    /// bound are silent, so no public signal shows it.
    /// </summary>
    internal int Entries => engine.Count;

    /// <summary>
    /// Completes (never faults) when the exchanges in flight now have ended. A test hook: a background renewal has no
    /// public completion signal, and waiting on one deterministically beats polling.
    /// </summary>
    internal Task WhenExchangesSettled => engine.WhenRenewalsSettled;

    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var subjectToken = await subjectTokenSource(request, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(subjectToken))
        {
            return null;
        }

        var key = await keySource(cancellationToken).ConfigureAwait(false);
        var exchange = new DPoPTokenExchangeRequest();
        configureRequest?.Invoke(exchange);
        if (_partition is not null)
        {
            var partition = new DPoPTokenPartition(request);
            _partition(partition);
            DPoPTokenPartitionValues.From(partition, engine.ClientName)?.ApplyTo(exchange);
        }

        exchange.SubjectToken = subjectToken;
        var cacheKey = DPoPTokenCacheKey.TokenExchange(engine.Options, exchange, key.JwkThumbprint);
        var entry = engine.GetOrAdd(cacheKey, static s => s.Provider.NewEntry(s.Exchange, s.Key, s.CacheKey), (Provider: this, Exchange: exchange, Key: key, CacheKey: cacheKey));
        return await entry.GetAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        engine.OnRejected(rejectedAccessToken);
        return ValueTask.FromResult(true);
    }

    /// <summary>An entry whose renewals send <paramref name="exchange"/>, bound to <paramref name="key"/> (part of its cache key).</summary>
    private DPoPTokenEntry NewEntry(DPoPTokenExchangeRequest exchange, DPoPKey key, string cacheKey) => new(
        engine,
        _ => ValueTask.FromResult(key),
        _ => createClient().ExchangeTokenAsync(exchange, CancellationToken.None), // shared by every caller waiting for it
        _ => cacheKey);
}
