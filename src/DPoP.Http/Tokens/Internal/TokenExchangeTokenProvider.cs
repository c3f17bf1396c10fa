using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddTokenExchangeToken()</c> registers for a client: for each request, the subject
/// token its delegate finds (typically the caller's token) is exchanged (RFC 8693) for a DPoP-bound token for the
/// downstream API. Tokens are cached per SHA-256 of the subject token and JWK thumbprint of the DPoP key (never the
/// subject token itself), until shortly before they expire (at most half their lifetime before, the default lifetime
/// included); one exchange runs per cache key however many callers need it (single flight), and it goes on when the
/// caller that started it gives up; a failed exchange leaves the cache as it ends, so no later caller receives its
/// failure; a token a resource server rejects is dropped so the handler's one retry gets a new one.
/// </summary>
internal sealed class TokenExchangeTokenProvider(
    Func<DPoPTokenClient> createClient,
    Func<CancellationToken, ValueTask<DPoPKey>> keySource,
    Func<HttpRequestMessage, CancellationToken, ValueTask<string?>> subjectTokenSource,
    Action<DPoPTokenExchangeRequest>? configureRequest,
    DPoPTokenClientOptions options,
    TimeProvider timeProvider,
    DPoPTokenTelemetry telemetry) : IDPoPAccessTokenProvider
{
    private const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>Above this many cached tokens, expired ones are swept out; above twice as many, all are dropped.</summary>
    internal const int SweepThreshold = 1024;

    private readonly ConcurrentDictionary<string, Lazy<Task<DPoPCachedToken>>> _tokens = new(StringComparer.Ordinal);
    private int _exchanges;

    /// <summary>How many exchanges this provider has sent (for tests).</summary>
    public int Exchanges => Volatile.Read(ref _exchanges);

    /// <summary>Completes (never faults) when the exchanges in flight now have ended. For tests.</summary>
    internal Task WhenExchangesSettled
    {
        get
        {
            var settled = new List<Task>();
            foreach (var entry in _tokens.Values)
            {
                if (entry.IsValueCreated)
                {
                    settled.Add(entry.Value.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
                }
            }

            return Task.WhenAll(settled);
        }
    }

    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var subjectToken = await subjectTokenSource(request, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(subjectToken))
        {
            return null;
        }

        var activity = telemetry.StartAcquire(GrantType, options.TokenEndpoint!);
        try
        {
            var key = await keySource(cancellationToken).ConfigureAwait(false);
            var (token, cacheHit) = await GetOrExchangeAsync(subjectToken, key, cancellationToken).ConfigureAwait(false);
            telemetry.CacheLookup(GrantType, "memory", cacheHit);
            DPoPTokenTelemetry.Acquired(activity, cacheHit);
            return DPoPTokenBinding.Use(token.Response, request);
        }
        catch (Exception ex)
        {
            DPoPTokenTelemetry.AcquireFailed(activity, ex);
            throw;
        }
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        foreach (var (cacheKey, entry) in _tokens)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully &&
                string.Equals(entry.Value.Result.Response.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _tokens.TryRemove(new(cacheKey, entry));
            }
        }

        return ValueTask.FromResult(true);
    }

    /// <summary>A cached token still outside its renewal window (a hit), or the exchange everyone with this subject token waits for.</summary>
    private async Task<(DPoPCachedToken Token, bool CacheHit)> GetOrExchangeAsync(string subjectToken, DPoPKey key, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(subjectToken, key.JwkThumbprint);
        for (var attempt = 1; ; attempt++)
        {
            var entry = _tokens.GetOrAdd(cacheKey, static (cacheKey, state) => state.Provider.NewEntry(cacheKey, state.SubjectToken, state.Key), (Provider: this, SubjectToken: subjectToken, Key: key));
            var wasDone = entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;

            // A caller that gives up stops waiting; the exchange it shares with others goes on.
            var token = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            var now = timeProvider.GetUtcNow();
            if (now < token.RenewAt || (attempt > 1 && now < token.ExpiresAt))
            {
                return (token, wasDone && attempt == 1);
            }

            _tokens.TryRemove(new(cacheKey, entry));
        }
    }

    private static string CacheKey(string subjectToken, string thumbprint) =>
        $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(subjectToken)))}.{thumbprint}";

    /// <summary>A cache entry whose exchange starts when the first caller asks for its value.</summary>
    private Lazy<Task<DPoPCachedToken>> NewEntry(string cacheKey, string subjectToken, DPoPKey key)
    {
        Lazy<Task<DPoPCachedToken>>? entry = null;
        entry = new Lazy<Task<DPoPCachedToken>>(() =>
        {
            var exchange = ExchangeAsync(subjectToken, key, cacheKey, entry!);

            // The callers may all have given up: observe the failure here (they that still wait receive it).
            _ = exchange.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return exchange;
        });
        return entry;
    }

    private async Task<DPoPCachedToken> ExchangeAsync(string subjectToken, DPoPKey key, string cacheKey, Lazy<Task<DPoPCachedToken>> entry)
    {
        try
        {
            Sweep();
            Interlocked.Increment(ref _exchanges);
            var exchange = new DPoPTokenExchangeRequest();
            configureRequest?.Invoke(exchange);
            exchange.SubjectToken = subjectToken;

            // Shared by every caller waiting for it, so no caller's cancellation token.
            var response = await createClient().ExchangeTokenAsync(exchange, CancellationToken.None).ConfigureAwait(false);
            return new DPoPCachedToken(response, DPoPCachedToken.RenewalTime(response.ExpiresAt, timeProvider.GetUtcNow(), options.RefreshBeforeExpiry), key);
        }
        catch (Exception)
        {
            // Never cached, whoever started it: removed before the callers waiting now see the failure, so even one that
            // gave up (nobody else waiting) leaves nothing behind for the next caller.
            _tokens.TryRemove(new(cacheKey, entry));
            throw;
        }
    }

    private void Sweep()
    {
        if (_tokens.Count <= SweepThreshold)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var (cacheKey, entry) in _tokens)
        {
            if (entry.IsValueCreated && entry.Value.IsCompleted && (!entry.Value.IsCompletedSuccessfully || now >= entry.Value.Result.ExpiresAt))
            {
                _tokens.TryRemove(new(cacheKey, entry));
            }
        }

        if (_tokens.Count > 2 * SweepThreshold)
        {
            _tokens.Clear();
        }
    }
}
