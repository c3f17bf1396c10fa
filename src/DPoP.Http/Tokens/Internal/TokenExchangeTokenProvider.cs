using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddTokenExchangeToken()</c> registers for a client: for each request, the subject
/// token its delegate finds (typically the caller's token) is exchanged (RFC 8693) for a DPoP-bound token for the
/// downstream API. Tokens are cached per SHA-256 of the subject token and JWK thumbprint of the DPoP key (never the
/// subject token itself), until shortly before they expire; one exchange runs per cache key however many callers
/// need it (single flight); a token a resource server rejects is dropped so the handler's one retry gets a new one.
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

    private readonly ConcurrentDictionary<string, Lazy<Task<DPoPTokenResponse>>> _tokens = new(StringComparer.Ordinal);
    private int _exchanges;

    /// <summary>How many exchanges this provider has sent (for tests).</summary>
    public int Exchanges => Volatile.Read(ref _exchanges);

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
            var (response, cacheHit) = await GetOrExchangeAsync(subjectToken, CacheKey(subjectToken, key.JwkThumbprint), cancellationToken).ConfigureAwait(false);
            telemetry.CacheLookup(GrantType, "memory", cacheHit);
            DPoPTokenTelemetry.Acquired(activity, cacheHit);
            return DPoPTokenBinding.Use(response, request);
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
                string.Equals(entry.Value.Result.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _tokens.TryRemove(new(cacheKey, entry));
            }
        }

        return ValueTask.FromResult(true);
    }

    /// <summary>A cached token still outside its renewal window (a hit), or the exchange everyone with this subject token waits for.</summary>
    private async Task<(DPoPTokenResponse Response, bool CacheHit)> GetOrExchangeAsync(string subjectToken, string cacheKey, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var entry = _tokens.GetOrAdd(cacheKey, _ => new Lazy<Task<DPoPTokenResponse>>(() => ExchangeAsync(subjectToken)));
            var wasDone = entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;
            DPoPTokenResponse response;
            try
            {
                // A caller that gives up stops waiting; the exchange it shares with others goes on.
                response = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed exchange is not cached: the next request tries again.
                _tokens.TryRemove(new(cacheKey, entry));
                throw;
            }

            var now = timeProvider.GetUtcNow();
            if (now < RenewAt(response) || (attempt > 1 && now < response.ExpiresAt))
            {
                return (response, wasDone && attempt == 1);
            }

            _tokens.TryRemove(new(cacheKey, entry));
        }
    }

    private static string CacheKey(string subjectToken, string thumbprint) =>
        $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(subjectToken)))}.{thumbprint}";

    private async Task<DPoPTokenResponse> ExchangeAsync(string subjectToken)
    {
        Sweep();
        Interlocked.Increment(ref _exchanges);
        var exchange = new DPoPTokenExchangeRequest();
        configureRequest?.Invoke(exchange);
        exchange.SubjectToken = subjectToken;

        // Shared by every caller waiting for it, so no caller's cancellation token.
        return await createClient().ExchangeTokenAsync(exchange, CancellationToken.None).ConfigureAwait(false);
    }

    private DateTimeOffset RenewAt(DPoPTokenResponse response)
    {
        var margin = options.RefreshBeforeExpiry;
        if (response.ExpiresIn is { } lifetime && margin > lifetime / 2)
        {
            margin = lifetime / 2;
        }

        return response.ExpiresAt - margin;
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
